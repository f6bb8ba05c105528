import { createSocket } from 'node:dgram';
import { request, type Agent } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One GET on a connection of its own (no keep-alive, so every request is a new connection the
 * proxies schedule), unless an agent is given. `localAddress` dials from that host address (a
 * client "at" a cloud or pod IP, e.g. for source ranges).
 */
export function httpGet(url: string, agent?: Agent, localAddress?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: agent ?? false, headers: agent ? {} : { connection: 'close' }, localAddress },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Which pod answered a GET (the responder's JSON names it). */
export async function podAnswering(url: string, agent?: Agent): Promise<string> {
  const answer = await httpGet(url, agent);
  if (answer.status !== 200) {
    throw new Error(`GET ${url}: ${answer.status} ${answer.body}`);
  }
  return (JSON.parse(answer.body) as { pod: string }).pod;
}

/** Sends one datagram and resolves the first reply (rejects after `timeoutMs`). */
export function udpAsk(
  address: string,
  port: number,
  message: string,
  timeoutMs = 2000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP reply from ${address}:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg.toString());
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.send(message, port, address);
  });
}

/**
 * A UDP client on one socket, so every datagram leaves from the same source port (one flow for
 * the proxies, as a long-lived UDP client). Replies that come after their `ask` timed out are
 * ignored by that ask. Close it when done.
 */
export class UdpFlow {
  private readonly socket = createSocket('udp4');
  private waiting: ((reply: string) => void) | undefined;

  constructor(
    private readonly address: string,
    private readonly port: number,
  ) {
    this.socket.on('message', (msg) => this.waiting?.(msg.toString()));
    this.socket.on('error', () => undefined);
  }

  /** Sends `message`; resolves the next reply, or undefined after `timeoutMs`. */
  ask(message: string, timeoutMs = 1000): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(reply);
      };
      this.socket.send(message, this.port, this.address);
    });
  }

  /** The source port every datagram of this flow leaves from. */
  localPort(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

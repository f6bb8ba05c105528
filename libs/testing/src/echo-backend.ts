import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { resetSocket } from '@app/dataplane';

/**
 * A backend for data-plane tests: on TCP it greets every connection with `<name>\n` and then
 * echoes; on UDP it answers every datagram with `<name>:<datagram>`. `stop()` kills it (the
 * port closes, open connections are reset); `start()` brings it back on the same port.
 */
export class EchoBackend {
  private tcp?: Server;
  private udp?: UdpSocket;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted since the start. */
  accepted = 0;

  private constructor(
    readonly name: string,
    readonly address: string,
    public port: number,
    private readonly udpEnabled: boolean,
  ) {}

  /** Listens on `address:port` (0 = a free port, then the same for UDP when asked). */
  static async start(
    name: string,
    address: string,
    options: { port?: number; udp?: boolean } = {},
  ): Promise<EchoBackend> {
    const backend = new EchoBackend(name, address, options.port ?? 0, options.udp ?? false);
    await backend.start();
    return backend;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async start(): Promise<void> {
    const tcp = createServer((socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => this.sockets.delete(socket));
      socket.write(`${this.name}\n`);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.tcp = tcp;
    this.port = (tcp.address() as { port: number }).port;
    if (this.udpEnabled) {
      const udp = createSocket('udp4');
      udp.on('message', (msg, rinfo) =>
        udp.send(Buffer.concat([Buffer.from(`${this.name}:`), msg]), rinfo.port, rinfo.address),
      );
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: this.address, port: this.port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      this.udp = udp;
    }
  }

  /** The backend dies: listeners close and open connections are reset. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      resetSocket(socket);
    }
    const tcp = this.tcp;
    const udp = this.udp;
    this.tcp = undefined;
    this.udp = undefined;
    await Promise.all([
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
    ]);
  }
}

/** Starts one EchoBackend per name on the given addresses, all on one common free port. */
export async function startEchoBackends(
  backends: { name: string; address: string }[],
  options: { udp?: boolean } = {},
): Promise<EchoBackend[]> {
  for (let attempt = 0; ; attempt++) {
    const started: EchoBackend[] = [];
    try {
      for (const b of backends) {
        started.push(
          await EchoBackend.start(b.name, b.address, { ...options, port: started[0]?.port ?? 0 }),
        );
      }
      return started;
    } catch (error) {
      await Promise.all(started.map((b) => b.stop()));
      if (attempt >= 20) {
        throw error;
      }
    }
  }
}

/** A TCP client of an EchoBackend (directly or through a proxy). */
export class EchoClient {
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;
  error?: Error;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('error', (err) => {
      this.error = err;
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects from `localAddress` (any loopback address, to play another client) if given. */
  static connect(address: string, port: number, localAddress?: string): Promise<EchoClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port, localAddress });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new EchoClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The greeting: the name of the backend this connection reached. Rejects if the proxy closes. */
  async backend(): Promise<string> {
    return (await this.line()).trim();
  }

  /** Sends `text` and waits for it to come back. */
  async echo(text: string): Promise<string> {
    const start = this.buffer.length;
    this.socket.write(text);
    while (this.buffer.length - start < text.length) {
      if (this.closed) {
        throw new Error(`connection closed before the echo of "${text}"`);
      }
      await this.next();
    }
    const reply = this.buffer.slice(start, start + text.length);
    this.buffer = this.buffer.slice(0, start) + this.buffer.slice(start + text.length);
    return reply;
  }

  /** Resolves when the connection is closed (by the peer or a reset). */
  async whenClosed(): Promise<void> {
    while (!this.closed) {
      await this.next();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async line(): Promise<string> {
    while (!this.buffer.includes('\n')) {
      if (this.closed) {
        throw new Error(
          `connection closed before a greeting${this.error ? `: ${this.error.message}` : ''}`,
        );
      }
      await this.next();
    }
    const end = this.buffer.indexOf('\n');
    const line = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 1);
    return line;
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}

/**
 * Which backend a new TCP connection to `address:port` reaches (the greeting), or
 * `refused` when the connection is refused or reset before the greeting.
 */
export async function whoAnswers(
  address: string,
  port: number,
  localAddress?: string,
): Promise<string> {
  let client: EchoClient;
  try {
    client = await EchoClient.connect(address, port, localAddress);
  } catch {
    return 'refused';
  }
  try {
    return await client.backend();
  } catch {
    return 'refused';
  } finally {
    client.close();
  }
}

/** Sends one UDP datagram from `localAddress` and answers the reply (rejects after `timeoutMs`). */
export async function udpRequest(
  address: string,
  port: number,
  payload: string,
  options: { localAddress?: string; timeoutMs?: number; socket?: UdpSocket } = {},
): Promise<string> {
  const socket = options.socket ?? createSocket('udp4');
  const own = !options.socket;
  try {
    if (own && options.localAddress) {
      await new Promise<void>((resolve) => socket.bind({ address: options.localAddress }, resolve));
    }
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(
          new Error(`no UDP answer from ${address}:${port} within ${options.timeoutMs ?? 2000} ms`),
        );
      }, options.timeoutMs ?? 2000);
      const onMessage = (msg: Buffer) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(msg.toString());
      };
      socket.on('message', onMessage);
      socket.send(payload, port, address);
    });
  } finally {
    if (own) {
      socket.close();
    }
  }
}

/**
 * Polls `condition` until it answers something other than undefined/false. Not a timing
 * assertion: the bound only keeps a failing test from polling forever after it timed out.
 */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  what = 'condition',
  boundMs = 60_000,
): Promise<T> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (performance.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

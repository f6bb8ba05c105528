import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The api-server's answer; 0 until it arrives. */
  status: number;
  /** The client went away before the answer (e.g. a call in flight when it stopped). */
  aborted?: boolean;
}

/**
 * A plain-HTTP reverse proxy on loopback in front of the built-in api-server (HTTPS) that
 * records every request passing through — what a component really asks the api-server for.
 * Bodies and watch streams are piped through untouched. A client reaches it with
 * `insecure-skip-tls-verify` (client-node's rule for http:// servers).
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();

  private readonly server: Server;
  private url_ = '';

  private constructor(upstream: string, ca: string) {
    const target = new URL(upstream);
    this.server = createServer((req, res) => this.forward(target, ca, req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.url_;
  }

  static async start(upstream: string, ca: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(upstream, ca);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url_ = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  private forward(target: URL, ca: string, req: IncomingMessage, res: ServerResponse): void {
    const entry: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    this.requests.push(entry);
    const options: RequestOptions = {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
      ca,
      // A connection per request: a pooled socket the server already closed would fail a call.
      agent: false,
    };
    const upstream = httpsRequest(options, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (entry.status === 0) {
        entry.aborted = true;
      }
      upstream.destroy();
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { RunningKubeApiServer } from '../../src';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as received (protobuf, gzip). */
  bytes: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface RawOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Omit the Authorization header. */
  anonymous?: boolean;
}

/** Plain HTTPS against the server (for what the typed clients hide: headers, raw bodies, streams). */
export function raw(
  server: RunningKubeApiServer,
  path: string,
  options: RawOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (!options.anonymous) {
      headers.Authorization ??= `Bearer ${server.adminToken}`;
    }
    if (options.body !== undefined) {
      // Node frames DELETE bodies only with an explicit length.
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const base = new URL(server.url);
    // `path` goes out as written: a URL object would resolve `..` segments on the client side.
    const req = request(
      {
        hostname: base.hostname,
        port: base.port,
        path,
        method: options.method ?? 'GET',
        ca: server.caCert,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            bytes,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface RawStream {
  lines: () => string[];
  /** Raw text including heartbeat newlines. */
  text: () => string;
  /** Raw bytes (protobuf watch frames). */
  bytes: () => Buffer;
  status: number;
  headers: IncomingHttpHeaders;
  ended: Promise<void>;
  close(): void;
}

/** Opens a streaming GET (watch) and collects what arrives. */
export function stream(
  server: RunningKubeApiServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended!: () => void;
    const endedPromise = new Promise<void>((r) => (ended = r));
    const req = request(
      `${server.url}${path}`,
      { ca: server.caCert, headers: { Authorization: `Bearer ${server.adminToken}`, ...headers } },
      (res) => {
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => ended());
        res.on('close', () => ended());
        const text = () => Buffer.concat(chunks).toString();
        resolve({
          lines: () =>
            text()
              .split('\n')
              .filter((l) => l.trim() !== ''),
          text,
          bytes: () => Buffer.concat(chunks),
          status: res.statusCode ?? 0,
          headers: res.headers,
          ended: endedPromise,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (e) => (req.destroyed ? ended() : reject(e)));
    req.end();
  });
}

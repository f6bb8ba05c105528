import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { checkCloudClientTls, type CloudClientTls } from './tls-transport';

/** One HTTP exchange as the cloud client needs it: the whole answer, read as text. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Bounds the whole exchange, answer body included. */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  /** A response header by (case-insensitive) name. */
  header(name: string): string | undefined;
  text: string;
}

export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** What a timed-out exchange rejects with (the name `AbortSignal.timeout` gives fetch's). */
export class TransportTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Requests over node:http(s) with a keep-alive agent of the client's own. Measured against the
 * global fetch on loopback (bench/cloud-client/transport.ts): a third of its CPU per call, whose
 * WHATWG streams, Headers and AbortSignal cost more than the exchange.
 * Idle pooled sockets are unref'd by Node, so they never keep a process alive; the agent follows
 * the server's `Keep-Alive: timeout` hint, and a call that meets a socket the server just closed
 * fails with ECONNRESET, which the client retries like any network error.
 */
export function nodeHttpTransport(tls?: CloudClientTls): Transport {
  checkCloudClientTls(tls);
  const httpAgent = new HttpAgent({ keepAlive: true });
  let httpsAgent: HttpsAgent | undefined;
  const secureAgent = () =>
    (httpsAgent ??= new HttpsAgent({
      keepAlive: true,
      ...(tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
    }));
  return (req) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) {
        headers['Content-Length'] = Buffer.byteLength(req.body);
      }
      const send = secure ? httpsRequest : httpRequest;
      const call = send(
        url,
        { method: req.method, headers, agent: secure ? secureAgent() : httpAgent },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              header: (name) => {
                const value = res.headers[name.toLowerCase()];
                return Array.isArray(value) ? value.join(', ') : value;
              },
              text,
            });
          });
          // A connection lost mid-answer ends here (ECONNRESET, "aborted").
          res.on('error', fail);
        },
      );
      const timer = setTimeout(
        () => call.destroy(new TransportTimeoutError(req.timeoutMs)),
        req.timeoutMs,
      );
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      call.on('error', fail);
      call.end(req.body);
    });
}

/** The same exchange through a fetch function (tests inject one to script or observe calls). */
export function fetchTransport(fetchFn: typeof fetch): Transport {
  return async (req) => {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, text };
  };
}

import { Agent, request } from 'node:https';

export interface BenchClient {
  call(
    method: string,
    path: string,
    body?: unknown,
    accept?: string,
  ): Promise<{ status: number; body: string; bytes: number; contentType: string }>;
  /** Opens a watch; `onLine` gets each raw event line. Returns a closer. */
  watch(path: string, onLine: (line: string) => void): Promise<() => void>;
}

/** A keep-alive HTTPS client trusting the server's CA and sending its bearer token. */
export function benchClient(url: string, ca: string, token: string, sockets: number): BenchClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ca });
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  return {
    call(method, path, body, accept) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const base = accept ? { ...headers, Accept: accept } : headers;
        const req = request(
          `${url}${path}`,
          {
            method,
            agent,
            headers: payload
              ? {
                  ...base,
                  'Content-Type': 'application/json',
                  'Content-Length': Buffer.byteLength(payload),
                }
              : base,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => {
              const raw = Buffer.concat(chunks);
              resolve({
                status: res.statusCode ?? 0,
                body: raw.toString(),
                bytes: raw.length,
                contentType: res.headers['content-type'] ?? '',
              });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    watch(path, onLine) {
      return new Promise((resolve, reject) => {
        const watchAgent = new Agent({ keepAlive: false, ca });
        const req = request(`${url}${path}`, { agent: watchAgent, headers }, (res) => {
          let buffer = '';
          res.on('data', (d: Buffer) => {
            buffer += d.toString();
            let i: number;
            while ((i = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, i);
              buffer = buffer.slice(i + 1);
              if (line) {
                onLine(line);
              }
            }
          });
          resolve(() => req.destroy());
        });
        req.on('error', (e) => {
          if (!req.destroyed) {
            reject(e);
          }
        });
        req.end();
      });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

import autocannon from 'autocannon';
import { Agent, get } from 'node:http';

export interface Sample {
  rps: number;
  mbps: number;
  /** Requests/s with a new connection each (connection set-up through every hop). */
  cps: number;
  /** Sequential requests on one keep-alive connection, ms. */
  p50: number;
  p99: number;
  /** CPU (user + system) of the proxying process per keep-alive request, µs (NaN: no proxy). */
  cpuPerRequest: number;
  /** CPU of the proxying process per MB downloaded, ms (NaN: no proxy). */
  cpuPerMb: number;
}

/** Requests per second of `GET /small` with `connections` keep-alive clients, and how many. */
export async function requestsPerSecond(
  baseUrl: string,
  connections: number,
  seconds: number,
): Promise<{ perSecond: number; total: number }> {
  const result = await autocannon({ url: `${baseUrl}/small`, connections, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${baseUrl}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  }
  return { perSecond: result.requests.average, total: result.requests.total };
}

/**
 * Requests/s of `GET /small` when every request opens its own connection (`Connection: close`),
 * `concurrency` at a time for `seconds`: what each hop's accept, backend choice and dial cost.
 */
export async function newConnectionsPerSecond(
  baseUrl: string,
  concurrency: number,
  seconds: number,
): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await new Promise<void>((resolve, reject) => {
        get(`${baseUrl}/small`, { agent: false, headers: { connection: 'close' } }, (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', reject);
        }).on('error', reject);
      });
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1000);
}

/** MB/s of `streams` parallel downloads of `bytes` each (1 MB = 10^6 bytes). */
export async function megabytesPerSecond(
  baseUrl: string,
  streams: number,
  bytes: number,
): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: streams }, () => download(`${baseUrl}/bytes/${bytes}`)));
  const seconds = (performance.now() - started) / 1000;
  return (streams * bytes) / 1e6 / seconds;
}

function download(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      res.on('end', () => {
        const expected = Number(res.headers['content-length']);
        if (received === expected) {
          resolve();
        } else {
          reject(new Error(`${url}: ${received} of ${expected} bytes`));
        }
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * Latency percentiles of `n` sequential `GET /small` per path, each path on its own keep-alive
 * connection, the paths interleaved request by request so they see the same machine noise.
 */
export async function latencies(
  baseUrls: string[],
  n: number,
): Promise<{ p50: number; p99: number }[]> {
  const agents = baseUrls.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times: number[][] = baseUrls.map(() => []);
  try {
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < baseUrls.length; p++) {
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          get(`${baseUrls[p]}/small`, { agent: agents[p] }, (res) => {
            res.resume();
            res.on('end', resolve);
            res.on('error', reject);
          }).on('error', reject);
        });
        times[p].push(performance.now() - started);
      }
    }
  } finally {
    agents.forEach((a) => a.destroy());
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { p50: percentile(t, 0.5), p99: percentile(t, 0.99) };
  });
}

export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

import autocannon from 'autocannon';
import { cpuMicrosOf } from '../shared/process-cpu';

/** One autocannon run against one endpoint, with the server's CPU time over the same window. */
export interface RunSample {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** Server CPU (user + system) per answered request, µs. */
  cpuMicros: number;
}

export async function run(
  options: autocannon.Options,
  serverPid: number,
  connections: number,
  seconds: number,
): Promise<RunSample> {
  const cpuBefore = cpuMicrosOf(serverPid);
  const r = await autocannon({ connections, duration: seconds, ...options });
  const cpuAfter = cpuMicrosOf(serverPid);
  const answered = r.requests.total;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.errors + r.non2xx + r.timeouts,
    cpuMicros:
      cpuBefore === undefined || cpuAfter === undefined || answered === 0
        ? NaN
        : (cpuAfter - cpuBefore) / answered,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** `median (min–max)` with `digits` decimals. */
export function withSpread(xs: number[], digits = 0): string {
  const f = (x: number) => x.toFixed(digits);
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

/** One autocannon run against one endpoint, with the server's CPU time over the same window. */
export interface RunSample {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** Server CPU (user + system) per answered request, µs. */
  cpuMicros: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** utime + stime of a process in µs, from /proc/<pid>/stat (undefined off Linux). */
function cpuMicrosOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
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

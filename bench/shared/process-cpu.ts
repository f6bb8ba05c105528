import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * utime + stime of a process in µs, from /proc/<pid>/stat (undefined off Linux). Ticks are 10 ms,
 * so measure windows of a second or more. CPU per unit of work is steadier than rates on a
 * shared machine: it does not fall when the process waits for a core.
 */
export function cpuMicrosOf(pid: number | undefined): number | undefined {
  if (pid === undefined) {
    return undefined;
  }
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

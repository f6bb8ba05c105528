// The bench runs under plain ts-node (no path aliases), so it re-exports what it needs by path.
export { hostAddressOf } from '../../libs/common/src/host-address';
export { hostPort } from '../../libs/dataplane/src/bind';

/**
 * `BENCH_CPU_PROF=<dir>`: the proxying processes (cloud API, `nimbus up`, the floors) write V8 CPU profiles
 * there when they exit (open them in Chrome DevTools or speedscope).
 */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return [...(dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), ...extra];
}

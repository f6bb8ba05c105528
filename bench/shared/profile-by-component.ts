/**
 * Where a `node --cpu-prof` profile's CPU went, by component and by function:
 * `npm run bench:profile -- <file.cpuprofile> [from to]`
 * (`from`/`to`: the window as fractions of the profile's duration, default the whole run).
 * A sample counts for the innermost frame in an app or lib folder (or a few framework packages),
 * "node internals only" when there is none; GC on its own. Used for the CCM and cluster
 * profiles quoted in docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import type { Profile, ProfileNode } from './cpu-profile';

const FRAMEWORKS =
  /node_modules\/((@kubernetes|@nestjs)\/[^/]+|undici|express|router|better-sqlite3|ws)\//;
const PROJECT = /\/((apps|libs)\/[^/]+)\//;

const label = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/(node_modules|apps|libs)\//, '$1/')}`;

function componentOf(chain: ProfileNode[]): string {
  if (chain[0].callFrame.functionName === '(garbage collector)') {
    return 'garbage collection';
  }
  for (const node of chain) {
    const match = PROJECT.exec(node.callFrame.url) ?? FRAMEWORKS.exec(node.callFrame.url);
    if (match) {
      return match[1];
    }
  }
  return 'node internals only';
}

function summarize(profile: Profile & { endTime: number }, from: number, to: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const child of n.children ?? []) {
      parent.set(child, n.id);
    }
  }
  const span = profile.endTime - profile.startTime;
  const [lo, hi] = [profile.startTime + from * span, profile.startTime + to * span];
  const components = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (at < lo || at > hi || name === '(idle)' || name === '(program)') {
      return;
    }
    const micros = profile.timeDeltas[i + 1] ?? 0;
    total += micros;
    const chain: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      chain.push(byId.get(cur)!);
    }
    const component = componentOf(chain);
    components.set(component, (components.get(component) ?? 0) + micros);
    self.set(label(node), (self.get(label(node)) ?? 0) + micros);
    for (const name of new Set(chain.filter((n) => PROJECT.test(n.callFrame.url)).map(label))) {
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  });
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(
        `${(v / 1000).toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`,
      );
    }
  };
  console.log(`${(total / 1000).toFixed(0)} ms of CPU samples in the window`);
  print('by component (innermost project frame)', components, 25);
  print('by function (self time)', self, 30);
  print('project functions (inclusive time)', inclusive, 40);
}

const [file, from = '0', to = '1'] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-by-component.ts <file.cpuprofile> [from to]');
  process.exit(2);
}
summarize(
  JSON.parse(readFileSync(file, 'utf8')) as Profile & { endTime: number },
  Number(from),
  Number(to),
);

/**
 * `npm run bench:startup`: how long `npm start` (`nimbus up` on a fresh data dir) takes to print
 * "Nimbus is up" with its three demo workers Ready and initialised, and the process RSS then.
 *
 * Issue 9's goal is absolute (< 3 s, RSS < 300 MB), but these shared machines move by 2×, so each
 * run also measures, in the same run, what no Nimbus code can beat: a bare `node` process start
 * (baseline) and the instance boot (`pending`, 1.5 s by default) the workers must go through.
 *
 *   npm run build && npm run bench:startup -- --runs 5
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_TRANSITION_MS } from '../../apps/cloud-api/src/transitions/transition-durations';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';

const ROOT = join(__dirname, '../..');
const BANNER = /Nimbus is up/;

interface StartupRun {
  /** Process spawn → "Starting Nimbus" (module loading). */
  loadMs: number;
  /** Process spawn → the banner, three workers Ready. */
  upMs: number;
  rssMb: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Spawns `node args`, timing the lines the stdout prints; resolves when `until` matches. */
function timedRun(
  args: string[],
  until: RegExp,
): Promise<{ times: Map<string, number>; pid: number; kill(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const times = new Map<string, number>();
    let out = '';
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const now = performance.now() - start;
      for (const line of out.split('\n')) {
        if (!times.has(line)) {
          times.set(line, now);
        }
      }
      if (until.test(out)) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({
          times,
          pid: child.pid!,
          kill: async () => {
            child.kill('SIGINT');
            await exited;
          },
        });
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`node ${args.join(' ')} exited with ${code} before ${until}`)),
    );
  });
}

async function bareNodeMs(): Promise<number> {
  const run = await timedRun(['-e', 'console.log("ready")'], /ready/);
  const ms = run.times.get('ready')!;
  await run.kill();
  return ms;
}

async function nimbusUp(): Promise<StartupRun> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-startup-'));
  try {
    const run = await timedRun(
      [
        // As `npm start` runs it (package.json).
        '--max-semi-space-size=64',
        'bin/nimbus.js',
        'up',
        '--data-dir',
        dir,
        '--cloud-port',
        '0',
        '--apiserver-port',
        '0',
        '--ccm-port',
        '-1',
        '--controller-manager-port',
        '-1',
        '--scheduler-port',
        '-1',
        '--proxy-healthz-port',
        '0',
        '--proxy-metrics-port',
        '-1',
      ],
      BANNER,
    );
    const at = (re: RegExp) => [...run.times].find(([line]) => re.test(line))![1];
    const result = { loadMs: at(/^Starting Nimbus/), upMs: at(BANNER), rssMb: rssMb(run.pid) };
    await run.kill();
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function main(): Promise<void> {
  const opts = new Command()
    .option('--runs <n>', 'measured runs after one warm-up', '5')
    .option('--write-docs', 'write the results into docs/benchmarks.md')
    .parse()
    .opts<{ runs: string; writeDocs?: boolean }>();
  await nimbusUp(); // warm-up: page cache, compiled native module
  const bare: number[] = [];
  const runs: StartupRun[] = [];
  for (let i = 0; i < Number(opts.runs); i++) {
    bare.push(await bareNodeMs());
    runs.push(await nimbusUp());
  }
  const boot = DEFAULT_TRANSITION_MS['instance.pending'];
  const rows = [
    ['bare `node -e` start (baseline)', bare],
    ['`nimbus up`: modules loaded ("Starting Nimbus")', runs.map((r) => r.loadMs)],
    ['`nimbus up`: 3 workers Ready, banner printed', runs.map((r) => r.upMs)],
    [
      "the workers' instance boot (`instance.pending`, overlapped with the start)",
      runs.map(() => boot),
    ],
    ['RSS at the banner (MB)', runs.map((r) => r.rssMb)],
  ] as const;
  const table = [
    `| measure | median | spread (${opts.runs} runs) |`,
    '| --- | --- | --- |',
    ...rows.map(([name, xs]) => `| ${name} | ${median([...xs]).toFixed(0)} | ${spread([...xs])} |`),
  ].join('\n');
  const ratio = median(runs.map((r) => r.upMs)) / median(bare);
  console.log(table);
  console.log(`\nnimbus up → banner = ${ratio.toFixed(1)}× a bare node start in the same run`);
  if (opts.writeDocs) {
    writeBenchmarkSection(
      'startup',
      [
        '<!-- startup:start -->',
        '## `npm start` to three Ready nodes (`npm run bench:startup`)',
        '',
        `Generated by \`npm run bench:startup -- --runs ${opts.runs} --write-docs\` on ${new Date().toISOString().slice(0, 10)} (2 cores, shared). ` +
          'Times in ms from spawning the process; one warm-up run first. Goal (issue 9): < 3 s and RSS < 300 MB.',
        '',
        table,
        '',
        `The banner came ${ratio.toFixed(1)}× a bare node start after the spawn.`,
        '<!-- startup:end -->',
      ].join('\n'),
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

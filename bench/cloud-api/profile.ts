/**
 * npm run bench:cloud-api:profile — where a request's CPU goes, for the "where the time goes"
 * table in docs/benchmarks.md. Starts the bare Nest app and the cloud API as bench:cloud-api does,
 * both under `node --cpu-prof`, drives each row (after a warm-up) for PROFILE_DURATION seconds,
 * then reads the two profiles and sums the samples taken inside each row's window (V8's sample
 * clock and process.hrtime are both CLOCK_MONOTONIC) by component: µs of CPU per answered
 * request. The profiler itself adds CPU, so compare components, not totals, with bench:cloud-api.
 *
 * Environment: PROFILE_DURATION (seconds per row, 10), PROFILE_WARMUP (3), BENCH_CONNECTIONS (10).
 */
import autocannon from 'autocannon';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH, createRequests, startBenchServers } from './setup';
import type { Profile } from '../shared/cpu-profile';

const DURATION = Number(process.env.PROFILE_DURATION ?? 10);
const WARMUP = Number(process.env.PROFILE_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Window {
  name: string;
  server: 'hello' | 'api';
  fromMicros: number;
  toMicros: number;
  requests: number;
}

/** Components, first match wins (on the sampled frame's script, or its nearest JS caller's). */
const COMPONENTS: [string, RegExp][] = [
  [
    'validation (class-validator, class-transformer)',
    /node_modules\/class-(validator|transformer)\//,
  ],
  ['Nest (routing context, guards, pipes, params)', /node_modules\/@nestjs\//],
  [
    'Express (router, body parser, response helpers)',
    /node_modules\/(express|router|body-parser|raw-body|type-is|content-type|media-typer|finalhandler|on-finished|parseurl|path-to-regexp|send|mime-types|qs)\//,
  ],
  ['SQLite (better-sqlite3 calls)', /node_modules\/better-sqlite3\/|libs\/persistence\//],
  ['logging, metrics (pino, prom-client)', /node_modules\/(pino|sonic-boom|prom-client)/],
  ['cloud API code (apps/cloud-api, libs)', /\/(apps|libs)\//],
  ['Node HTTP and sockets', /^node:(_http|net|internal\/(stream|streams|http)|events|stream)/],
  ['Node crypto', /^node:(crypto|internal\/crypto)/],
];

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'nimbus-profile-'));
  const servers = await startBenchServers(dataDir, (server) => [
    '--cpu-prof',
    `--cpu-prof-dir=${join(profileDir, server)}`,
  ]);
  const windows: Window[] = [];
  try {
    const rows: [string, 'hello' | 'api', autocannon.Options][] = [
      ['baseline: Nest+Express hello', 'hello', { url: `${servers.hello.url}/hello` }],
      [
        'GET /v1/instances/{id}',
        'api',
        { url: `${servers.api.url}/v1/instances/${servers.instanceId}`, headers: AUTH },
      ],
      ['POST /v1/instances (Idempotency-Key each)', 'api', createRequests(servers.api.url)],
    ];
    for (const [name, server, options] of rows) {
      await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...options });
      const fromMicros = Number(process.hrtime.bigint() / 1000n);
      const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
      const toMicros = Number(process.hrtime.bigint() / 1000n);
      windows.push({ name, server, fromMicros, toMicros, requests: result.requests.total });
    }
  } finally {
    await Promise.all(
      [servers.hello.child, servers.api.child].map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
  const profiles = {
    hello: readProfile(join(profileDir, 'hello')),
    api: readProfile(join(profileDir, 'api')),
  };
  rmSync(profileDir, { recursive: true, force: true });
  report(windows.map((w) => ({ window: w, byComponent: attribute(profiles[w.server], w) })));
  console.log(
    `\n${cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ` +
      `${loadavg()[0].toFixed(2)} after; ${CONNECTIONS} connections, ${WARMUP} s warm-up, ${DURATION} s per row.`,
  );
}

function readProfile(dir: string): Profile {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    throw new Error(`no profile in ${dir}`);
  }
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
}

/** µs of sampled CPU per request inside the window, by component (idle samples left out). */
function attribute(profile: Profile, window: Window): Map<string, number> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    node.children?.forEach((child) => parents.set(child, node.id));
  }
  const componentOf = (id: number): string => {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(garbage collector)') {
      return 'garbage collection';
    }
    // Native frames (writev, SQLite's C code) count for the JavaScript that called them.
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      const url = nodes.get(cur)!.callFrame.url;
      if (url) {
        return COMPONENTS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'other (Node internals)';
      }
    }
    return 'other (Node internals)';
  };
  const totals = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    const name = nodes.get(id)!.callFrame.functionName;
    if (at < window.fromMicros || at > window.toMicros || name === '(idle)') {
      return;
    }
    const component = componentOf(id);
    const delta = profile.timeDeltas[i];
    totals.set(component, (totals.get(component) ?? 0) + delta);
  });
  const perRequest = new Map<string, number>();
  for (const [component, micros] of totals) {
    perRequest.set(component, micros / window.requests);
  }
  return perRequest;
}

function report(rows: { window: Window; byComponent: Map<string, number> }[]): void {
  const components = [
    ...COMPONENTS.map(([name]) => name),
    'garbage collection',
    'other (Node internals)',
  ];
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(
    `| Component (µs of CPU per request) | ${rows.map((r) => r.window.name).join(' | ')} |`,
  );
  console.log(`|---|${rows.map(() => '---').join('|')}|`);
  for (const component of components) {
    const cells = rows.map((r) => (r.byComponent.get(component) ?? 0).toFixed(0));
    console.log(`| ${component} | ${cells.join(' | ')} |`);
  }
  console.log(
    `| **total (profiled)** | ${rows.map((r) => total(r.byComponent).toFixed(0)).join(' | ')} |`,
  );
  console.log(`| requests answered | ${rows.map((r) => r.window.requests).join(' | ')} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

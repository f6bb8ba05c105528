/**
 * npm run bench:cloud-api — autocannon against the built cloud API (GET one instance, a list of
 * 50, create with an Idempotency-Key each) beside a bare Nest+Express "hello" app measured in
 * the same run. After a warm-up of every row, BENCH_ROUNDS rounds run every row once (the order
 * rotates each round, so no row always follows the same one); each row's ratio is taken against
 * the baseline of its own round, and the table shows medians with the spread (min–max). Server
 * CPU per request comes from /proc/<pid>/stat over the same window (steadier than req/s on a
 * shared machine). Rewrites the cloud-api section of docs/benchmarks.md.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_DURATION (seconds per row and round, 5),
 * BENCH_WARMUP (seconds per row, 3), BENCH_CONNECTIONS (10), BENCH_WRITE_DOC (default 1; 0 only
 * prints).
 */
import type autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';
import { median, run, withSpread, type RunSample } from './measure';
import { AUTH, CLOUD_API_FLAGS, createRequests, startBenchServers } from './setup';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WRITE_DOC = process.env.BENCH_WRITE_DOC !== '0';

interface Row {
  name: string;
  server: 'hello' | 'api';
  options: autocannon.Options;
  /** Target ratio to the baseline (issue 15). */
  target?: number;
}

function rows(helloUrl: string, apiUrl: string, target: string): Row[] {
  return [
    {
      name: 'baseline: Nest+Express hello',
      server: 'hello',
      options: { url: `${helloUrl}/hello` },
    },
    {
      name: 'GET /v1/instances/{id}',
      server: 'api',
      target: 0.7,
      options: { url: `${apiUrl}/v1/instances/${target}`, headers: AUTH },
    },
    {
      name: 'GET /v1/instances?pageSize=50',
      server: 'api',
      options: { url: `${apiUrl}/v1/instances?pageSize=50`, headers: AUTH },
    },
    {
      name: 'POST /v1/instances (Idempotency-Key each)',
      server: 'api',
      target: 0.3,
      options: createRequests(apiUrl),
    },
  ];
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  const children: ChildProcess[] = [];
  try {
    const servers = await startBenchServers(dataDir);
    const { hello, api } = servers;
    children.push(hello.child, api.child);
    const table = rows(hello.url, api.url, servers.instanceId);
    const pidOf = (row: Row) => (row.server === 'hello' ? hello.child.pid! : api.child.pid!);

    for (const row of table) {
      await run(row.options, pidOf(row), CONNECTIONS, WARMUP);
    }
    const samples: RunSample[][] = table.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < table.length; k++) {
        const i = (k + round) % table.length;
        const sample = await run(table[i].options, pidOf(table[i]), CONNECTIONS, DURATION);
        samples[i].push(sample);
        console.log(
          `round ${round + 1}/${ROUNDS} ${table[i].name}: ${Math.round(sample.rps)} req/s, ` +
            `${sample.cpuMicros.toFixed(0)} µs CPU/request, failures ${sample.failures}`,
        );
      }
    }
    report(table, samples, loadBefore, loadavg()[0]);
  } finally {
    children.forEach((child) => child.kill());
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(table: Row[], samples: RunSample[][], loadBefore: number, loadAfter: number): void {
  const baseline = samples[0];
  const lines = table.map((row, i) => {
    const s = samples[i];
    const ratios = s.map((x, round) => x.rps / baseline[round].rps);
    const cpuRatios = s.map((x, round) => baseline[round].cpuMicros / x.cpuMicros);
    const verdict =
      row.target === undefined
        ? ''
        : median(ratios) >= row.target
          ? ` ≥ ${row.target}× ✔`
          : ` < ${row.target}× ✘`;
    return [
      row.name,
      withSpread(s.map((x) => x.rps)),
      `${withSpread(ratios, 2)}${verdict}`,
      withSpread(s.map((x) => x.cpuMicros)),
      withSpread(cpuRatios, 2),
      withSpread(s.map((x) => x.p50)),
      withSpread(s.map((x) => x.p99)),
      String(s.reduce((sum, x) => sum + x.failures, 0)),
    ].join(' | ');
  });
  const section = [
    '<!-- cloud-api:start -->',
    '## cloud-api',
    '',
    `Measured by \`npm run bench:cloud-api\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}),`,
    `Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after. Server and load generator share the machine.`,
    `autocannon, ${CONNECTIONS} keep-alive connections; a ${WARMUP} s warm-up of every row, then ${ROUNDS} rounds of ${DURATION} s per row`,
    '(the row order rotates each round). Each ratio is against the baseline of the same round; cells are medians with the',
    'spread (min–max) of the rounds. CPU µs/request is the server process’s user + system time (from `/proc/<pid>/stat`)',
    'over the row’s window divided by the requests answered; "CPU vs baseline" is the baseline’s CPU per request over the row’s.',
    'The baseline is a bare Nest+Express app answering `{"hello":"world"}`. The cloud API is `nimbus cloud-api` from `dist/`',
    'with its default log level (info, JSON to stdout; successful reads log at debug, so only creates write a line) and',
    `\`${CLOUD_API_FLAGS.join(' ')}\`: throttling runs on every call but its buckets never empty.`,
    'The create row sends a fresh Idempotency-Key with every request. Targets (issue 15): GET ≥ 0.7× the baseline, create ≥ 0.3×.',
    '',
    '| Endpoint | req/s | vs baseline | CPU µs/request | CPU vs baseline | p50 ms | p99 ms | failures |',
    '|---|---|---|---|---|---|---|---|',
    ...lines.map((line) => `| ${line} |`),
    '<!-- cloud-api:end -->',
  ].join('\n');
  console.log(`\n${section}\n`);
  if (WRITE_DOC) {
    writeBenchmarkSection('cloud-api', section);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * npm run bench:cloud-api — autocannon against the built cloud API (GET instance, list of 50,
 * create with an Idempotency-Key each) beside a bare Nest+Express "hello" app measured in the same
 * run. Prints a table and rewrites the cloud-api section of docs/benchmarks.md.
 * Environment: BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS (default 10).
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';
import { startProcess } from '../shared/child-process';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TOKEN = 'bench-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function start(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  return (await startProcess(cmd, args, ready)).child;
}

async function measure(name: string, options: autocannon.Options): Promise<Result> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const result = {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
  console.log(
    `${name}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}`,
  );
  return result;
}

async function post(url: string, body: unknown): Promise<{ instance: { id: string } }> {
  const res = await fetch(url, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  if (!res.ok) {
    throw new Error(`${url}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as { instance: { id: string } };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  const helloPort = 18990;
  const apiPort = 18991;
  const hello = await start(
    'node',
    ['-r', 'ts-node/register/transpile-only', 'bench/cloud-api/hello-app.ts', String(helloPort)],
    /ready/,
  );
  const api = await start(
    'node',
    [
      'bin/nimbus.js',
      'cloud-api',
      '--port',
      String(apiPort),
      '--data-dir',
      dataDir,
      '--token',
      TOKEN,
      '--transition-ms',
      '0',
      '--quotas',
      'instances=10000000,vcpus=100000000',
      // Throttling stays on (its cost is part of every call) but never trips.
      '--rate-limits',
      'reads=1000000000:1000000000,mutations=1000000000:1000000000,instanceCreates=1000000000:1000000000',
    ],
    /listening on/,
  );
  const base = `http://127.0.0.1:${apiPort}`;
  try {
    const zones = ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'];
    let target = '';
    for (let i = 0; i < 60; i++) {
      const created = await post(`${base}/v1/instances`, {
        name: `seed-${i}`,
        zone: zones[i % 3],
        instanceType: 'nb.small',
      });
      target ||= created.instance.id;
    }
    const results: Result[] = [];
    results.push(
      await measure('baseline: Nest+Express hello', { url: `http://127.0.0.1:${helloPort}/hello` }),
    );
    results.push(
      await measure('GET /v1/instances/{id}', {
        url: `${base}/v1/instances/${target}`,
        headers: AUTH,
      }),
    );
    results.push(
      await measure('GET /v1/instances?pageSize=50', {
        url: `${base}/v1/instances?pageSize=50`,
        headers: AUTH,
      }),
    );
    let n = 0;
    results.push(
      await measure('POST /v1/instances (Idempotency-Key each)', {
        url: `${base}/v1/instances`,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => ({
              ...req,
              headers: { ...AUTH, 'idempotency-key': randomUUID() },
              body: JSON.stringify({
                name: `bench-${n++}`,
                zone: zones[n % 3],
                instanceType: 'nb.small',
              }),
            }),
          },
        ],
      }),
    );
    report(results);
  } finally {
    hello.kill();
    api.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const baseline = results[0].rps;
  const targets: Record<string, number> = { GET: 0.7, POST: 0.3 };
  const rows = results.map((r) => {
    const ratio = r.rps / baseline;
    const target = r.name.startsWith('GET /v1/instances/')
      ? targets.GET
      : r.name.startsWith('POST')
        ? targets.POST
        : undefined;
    const verdict =
      target === undefined ? '' : ratio >= target ? `≥ ${target}× ✔` : `< ${target}× ✘`;
    return `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${ratio.toFixed(2)}× ${verdict} | ${r.non2xx + r.errors} |`;
  });
  const section = [
    '<!-- cloud-api:start -->',
    '## cloud-api',
    '',
    `Measured by \`npm run bench:cloud-api\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}),`,
    `Node ${process.version}, autocannon with ${CONNECTIONS} connections for ${DURATION} s per row, server and load generator on`,
    'the same machine. The cloud API runs from `dist/` with its default log level (info, JSON to stdout) and',
    '`--transition-ms 0`; the baseline is a bare Nest+Express app answering `{"hello":"world"}`, started in the same run.',
    'Targets: GET ≥ 0.7× the baseline, create ≥ 0.3×.',
    '',
    '| Endpoint | req/s | p50 ms | p99 ms | vs baseline | errors |',
    '|---|---|---|---|---|---|',
    ...rows,
    '<!-- cloud-api:end -->',
  ].join('\n');
  console.log(`\n${section}\n`);
  writeBenchmarkSection('cloud-api', section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

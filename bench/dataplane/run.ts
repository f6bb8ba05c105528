/**
 * npm run bench:dataplane — traffic through one cloud load balancer versus straight to its
 * backend, measured in the same run: requests/s (autocannon, keep-alive), MB/s (parallel
 * downloads) and latency of sequential requests (p50/p99; "added" = LB minus direct). The cloud
 * API and the backend run as their own processes, the load from this one. Every measurement
 * alternates direct and LB, after a warm-up; medians of BENCH_RUNS runs with their spread.
 * Rewrites the dataplane section of docs/benchmarks.md.
 *
 * Environment: BENCH_RUNS (default 5), BENCH_DURATION (seconds per req/s run, 3),
 * BENCH_CONNECTIONS (10), BENCH_MB (per stream per MB/s run, 64), BENCH_STREAMS (4),
 * BENCH_LATENCY_REQUESTS (2000).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostAddressOf, hostPort } from './host';
import { latencies, median, megabytesPerSecond, requestsPerSecond, type Sample } from './measure';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';
import { startProcess } from '../shared/child-process';
import { startKubeProxyPath, type BenchPath } from './paths';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const MB = Number(process.env.BENCH_MB ?? 64);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 4);
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 2000);
const TOKEN = 'bench-dataplane-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: AUTH,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

interface LbView {
  id: string;
  dataPlane: { state: string; ports: { protocol: string; address?: string; hostPort?: number }[] };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Throughput of one path (latency is measured for all paths together, interleaved). */
async function throughput(baseUrl: string): Promise<Pick<Sample, 'rps' | 'mbps'>> {
  const rps = await requestsPerSecond(baseUrl, CONNECTIONS, DURATION);
  const mbps = await megabytesPerSecond(baseUrl, STREAMS, MB * 1e6);
  return { rps, mbps };
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-dataplane-'));
  const third = 1 + Math.floor(Math.random() * 250);
  const children: ChildProcess[] = [];
  const extraPaths: BenchPath[] = [];
  try {
    const api = await startProcess(
      'node',
      [
        'bin/nimbus.js',
        'cloud-api',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--token',
        TOKEN,
        '--transition-ms',
        '0',
        '--log-level',
        'warn',
        '--lb-ipv4-pool',
        `203.0.${third}.0/24`,
        '--network-cidr',
        `10.${100 + (third % 50)}.0.0/16`,
        '--rate-limits',
        'off',
      ],
      /listening on (http:\/\/\S+)/,
    );
    children.push(api.child);
    const base = api.match[1];
    const { instance } = await call<{ instance: { id: string; privateIp: string } }>(
      `${base}/v1/instances`,
      'POST',
      { name: 'bench-backend', zone: 'nimbus-1a', instanceType: 'nb.small' },
    );
    const backendAddress = hostAddressOf(instance.privateIp)!;
    const backend = await startProcess(
      'node',
      ['-r', 'ts-node/register/transpile-only', 'bench/dataplane/backend.ts', backendAddress, '0'],
      /ready (\d+)/,
    );
    children.push(backend.child);
    const backendPort = Number(backend.match[1]);
    const created = await call<{ loadBalancer: LbView }>(`${base}/v1/load-balancers`, 'POST', {
      name: 'bench',
      region: 'nimbus-1',
      listeners: [{ protocol: 'TCP', port: 80, targetPort: backendPort }],
      backends: [{ instanceId: instance.id }],
    });
    const lb = await until(async () => {
      const view = await call<LbView>(
        `${base}/v1/load-balancers/${created.loadBalancer.id}`,
        'GET',
      );
      return view.dataPlane.state === 'serving' ? view : undefined;
    }, 'the load balancer to serve');
    const port = lb.dataPlane.ports[0];
    const paths: BenchPath[] = [
      { name: 'direct to the backend', baseUrl: `http://${hostPort(backendAddress, backendPort)}` },
      {
        name: 'through the cloud LB',
        baseUrl: `http://${hostPort(port.address!, port.hostPort!)}`,
      },
    ];
    const viaKubeProxy = await startKubeProxyPath();
    if (viaKubeProxy) {
      paths.push(viaKubeProxy);
      extraPaths.push(viaKubeProxy);
    }

    console.log('warm-up …');
    for (const p of paths) {
      await requestsPerSecond(p.baseUrl, CONNECTIONS, 1);
      await megabytesPerSecond(p.baseUrl, STREAMS, 8e6);
    }
    await latencies(
      paths.map((p) => p.baseUrl),
      200,
    );
    const samples = new Map<string, Sample[]>(paths.map((p) => [p.name, []]));
    for (let run = 1; run <= RUNS; run++) {
      // Alternate the order so drift on the shared machine does not favour one path.
      const order = run % 2 === 1 ? paths : [...paths].reverse();
      const measured = new Map<string, Pick<Sample, 'rps' | 'mbps'>>();
      for (const p of order) {
        measured.set(p.name, await throughput(p.baseUrl));
      }
      const lat = await latencies(
        paths.map((p) => p.baseUrl),
        LATENCY_REQUESTS,
      );
      paths.forEach((p, i) => {
        const s = { ...measured.get(p.name)!, ...lat[i] };
        samples.get(p.name)!.push(s);
        console.log(
          `run ${run} ${p.name}: ${s.rps.toFixed(0)} req/s, ${s.mbps.toFixed(0)} MB/s, p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms`,
        );
      });
    }
    report(paths, samples, load);
  } finally {
    for (const p of extraPaths) {
      await p.stop?.();
    }
    children.forEach((c) => c.kill('SIGTERM'));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function stat(values: number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(values).toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted[sorted.length - 1].toFixed(digits)})`;
}

function report(paths: BenchPath[], samples: Map<string, Sample[]>, load: number): void {
  const direct = samples.get(paths[0].name)!;
  const med = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]));
  const rows = paths.map((p, i) => {
    const s = samples.get(p.name)!;
    const rpsRatio = med(s, 'rps') / med(direct, 'rps');
    const mbRatio = med(s, 'mbps') / med(direct, 'mbps');
    const added = med(s, 'p99') - med(direct, 'p99');
    const verdict = (ok: boolean) => (ok ? '✔' : '✘');
    return i === 0
      ? `| ${p.name} | ${stat(
          s.map((x) => x.rps),
          0,
        )} | 1.00× | ${stat(
          s.map((x) => x.mbps),
          0,
        )} | 1.00× | ${stat(
          s.map((x) => x.p50),
          3,
        )} | ${stat(
          s.map((x) => x.p99),
          3,
        )} | — |`
      : `| ${p.name} | ${stat(
          s.map((x) => x.rps),
          0,
        )} | ${rpsRatio.toFixed(2)}× ${verdict(rpsRatio >= 0.5)} | ${stat(
          s.map((x) => x.mbps),
          0,
        )} | ${mbRatio.toFixed(2)}× ${verdict(mbRatio >= 0.5)} | ${stat(
          s.map((x) => x.p50),
          3,
        )} | ${stat(
          s.map((x) => x.p99),
          3,
        )} | ${added.toFixed(3)} ms ${verdict(added < 1)} |`;
  });
  const section = [
    '<!-- dataplane:start -->',
    '## Load-balancer data plane',
    '',
    `Measured by \`npm run bench:dataplane\` (\`bench/dataplane/run.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, 1-minute load average ${load.toFixed(2)} at the start — the machine was shared with other work, so read the ratios, not the absolute numbers.`,
    `The cloud API (\`nimbus cloud-api\` from \`dist/\`, one load balancer, TCP listener, round robin, default health check) and the backend (a Node HTTP server) run as separate processes; the load generator runs in the bench process. Each of ${RUNS} runs measures both paths in alternating order after a warm-up: req/s = autocannon, ${CONNECTIONS} keep-alive connections, ${DURATION} s, 64-byte answers; MB/s = ${STREAMS} parallel downloads of ${MB} MB; latency = ${LATENCY_REQUESTS} sequential requests per path on one keep-alive connection each, the paths interleaved request by request. Medians, with the spread (min–max) of the runs in parentheses.`,
    'Goals (issue 11): ≥ 0.5× direct throughput, p99 added latency < 1 ms.',
    '',
    '| Path | req/s | vs direct | MB/s | vs direct | p50 ms | p99 ms | p99 added |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    paths.length < 3
      ? 'LB → kube-proxy → pod: not measured in this run (`startKubeProxyPath` in `bench/dataplane/paths.ts` failed or was skipped).'
      : "LB → kube-proxy → pod: `nimbus up` (from `dist/`, one worker) in its own process, a selector-less LoadBalancer Service whose EndpointSlice names the same backend program at a pod address of worker-1; the path is client → the Service's cloud LB (cloud API process of `nimbus up`) → worker-1's NodePort (kube-proxy, same process) → the backend: two user-space proxy hops.",
    '<!-- dataplane:end -->',
  ].join('\n');
  console.log(`\n${section}\n`);
  writeBenchmarkSection('dataplane', section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * npm run bench:dataplane — traffic through one cloud load balancer (and through LB →
 * kube-proxy → pod) versus straight to the backend, measured in the same run: requests/s
 * (autocannon, keep-alive — how proxy benchmarks are usually run, and what the goal is about),
 * requests/s with a new connection each, MB/s (parallel downloads, a connection each) and
 * latency of sequential requests (p50/p99; "added" = path minus direct). The floor of the
 * paths is measured too: the smallest Node proxy (bare-proxy.ts), one hop and two hops in one
 * process. The cloud API, `nimbus up`, the proxies and the backends run as their own processes,
 * the load from this one. Every run measures every path in alternating order, after a warm-up;
 * medians of BENCH_RUNS runs with their spread. Next to the rates, the CPU the proxying process
 * spends per request and per MB (/proc/<pid>/stat, its idle rate subtracted): the data plane's own
 * cost, which machine load does not blur as it blurs rates. Rewrites the dataplane section of
 * docs/benchmarks.md.
 *
 * Environment: BENCH_RUNS (default 5), BENCH_DURATION (seconds per req/s run, 3),
 * BENCH_CONNECTIONS (10), BENCH_MB (per stream per MB/s run, 64), BENCH_STREAMS (4),
 * BENCH_LATENCY_REQUESTS (2000); BENCH_CPU_PROF=<dir> profiles the proxying processes (the cloud
 * API, `nimbus up`, the floors); BENCH_NODE_FLAGS (e.g. `--max-semi-space-size=64`) are passed to
 * node for each of them.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostAddressOf, hostPort, profileFlags } from './host';
import {
  latencies,
  median,
  megabytesPerSecond,
  newConnectionsPerSecond,
  requestsPerSecond,
  type Sample,
} from './measure';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';
import { startCloudApiProcess, startProcess } from '../shared/child-process';
import { cpuMicrosOf } from '../shared/process-cpu';
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

type Throughput = Omit<Sample, 'p50' | 'p99'>;

/**
 * CPU the path's proxying process spent on `work` beyond its idle rate (`nimbus up` runs a whole
 * cluster, the cloud API its health checks), µs; NaN without a process or off Linux.
 */
async function proxyCpu<T>(
  path: BenchPath,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMicros: number }> {
  const before = cpuMicrosOf(path.pid);
  const started = performance.now();
  const result = await work();
  const after = cpuMicrosOf(path.pid);
  const idle = (path.idleCpuPerMs ?? 0) * (performance.now() - started);
  const cpuMicros =
    before === undefined || after === undefined ? NaN : Math.max(0, after - before - idle);
  return { result, cpuMicros };
}

/** Throughput of one path (latency is measured for all paths together, interleaved). */
async function throughput(path: BenchPath): Promise<Throughput> {
  const rps = await proxyCpu(path, () => requestsPerSecond(path.baseUrl, CONNECTIONS, DURATION));
  const cps = await newConnectionsPerSecond(path.baseUrl, CONNECTIONS, DURATION);
  const mb = await proxyCpu(path, () => megabytesPerSecond(path.baseUrl, STREAMS, MB * 1e6));
  return {
    rps: rps.result.perSecond,
    cps,
    mbps: mb.result,
    cpuPerRequest: rps.cpuMicros / rps.result.total,
    cpuPerMb: mb.cpuMicros / 1000 / ((STREAMS * MB * 1e6) / 1e6),
  };
}

/** Each proxying process's CPU per ms while no path carries traffic (subtracted above). */
async function measureIdleCpu(paths: BenchPath[], ms: number): Promise<void> {
  const before = paths.map((p) => cpuMicrosOf(p.pid));
  await new Promise((r) => setTimeout(r, ms));
  paths.forEach((p, i) => {
    const after = cpuMicrosOf(p.pid);
    const start = before[i];
    p.idleCpuPerMs = start === undefined || after === undefined ? 0 : (after - start) / ms;
  });
}

/** How this run measures, printed first and written with the numbers. */
function method(load: number): string {
  return [
    `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, 1-minute load average ${load.toFixed(2)} at the start.`,
    `${RUNS} runs after a warm-up (1 s of load and 8 MB per stream per path, 200 latency requests); each run measures every path in turn, the order reversed every other run.`,
    `req/s: autocannon, ${CONNECTIONS} keep-alive connections for ${DURATION} s, GET of a 64-byte answer. new conn/s: the same GET with a new connection each (\`Connection: close\`), ${CONNECTIONS} at a time for ${DURATION} s. MB/s: ${STREAMS} parallel downloads of ${MB} MB, a connection each. Latency: ${LATENCY_REQUESTS} sequential GETs per path on one keep-alive connection each, the paths interleaved request by request.`,
    `Environment: BENCH_RUNS=${RUNS} BENCH_DURATION=${DURATION} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_MB=${MB} BENCH_STREAMS=${STREAMS} BENCH_LATENCY_REQUESTS=${LATENCY_REQUESTS}.`,
  ].join(' ');
}

/** The floor: bare-proxy.ts in its own process, `hops` chained, in front of `target`. */
async function bareProxy(
  address: string,
  target: string,
  hops: number,
): Promise<{ child: ChildProcess; baseUrl: string; pid?: number }> {
  const url = new URL(target);
  const proxy = await startProcess(
    'node',
    [
      ...profileFlags(),
      ...['-r', 'ts-node/register/transpile-only', 'bench/dataplane/bare-proxy.ts'],
      ...[address, url.hostname, url.port, String(hops)],
    ],
    /ready (\d+)/,
  );
  return {
    child: proxy.child,
    baseUrl: `http://${hostPort(address, Number(proxy.match[1]))}`,
    pid: proxy.child.pid,
  };
}

/**
 * A cloud API process (from dist/) with one load balancer in front of one instance, and a backend
 * program at the instance's host address (`backends` reuses one already there). `flags` are the
 * cloud API's extra flags (e.g. `--data-plane-thread=false`).
 */
async function startCloudLb(
  root: string,
  cloud: { lbPool: string; network: string; flags: string[] },
  backends: Map<string, number>,
  children: ChildProcess[],
): Promise<{ pid?: number; lbUrl: string; direct: string }> {
  const dataDir = mkdtempSync(join(root, 'cloud-'));
  const api = await startCloudApiProcess(
    dataDir,
    TOKEN,
    [
      '--transition-ms',
      '0',
      '--log-level',
      'warn',
      ...['--lb-ipv4-pool', cloud.lbPool, '--network-cidr', cloud.network],
      ...['--rate-limits', 'off', ...cloud.flags],
    ],
    profileFlags(),
  );
  children.push(api.child);
  const base = api.url;
  const { instance } = await call<{ instance: { id: string; privateIp: string } }>(
    `${base}/v1/instances`,
    'POST',
    { name: 'bench-backend', zone: 'nimbus-1a', instanceType: 'nb.small' },
  );
  const backendAddress = hostAddressOf(instance.privateIp)!;
  let backendPort = backends.get(backendAddress);
  if (backendPort === undefined) {
    const backend = await startProcess(
      'node',
      ['-r', 'ts-node/register/transpile-only', 'bench/dataplane/backend.ts', backendAddress, '0'],
      /ready (\d+)/,
    );
    children.push(backend.child);
    backendPort = Number(backend.match[1]);
    backends.set(backendAddress, backendPort);
  }
  const created = await call<{ loadBalancer: LbView }>(`${base}/v1/load-balancers`, 'POST', {
    name: 'bench',
    region: 'nimbus-1',
    listeners: [{ protocol: 'TCP', port: 80, targetPort: backendPort }],
    backends: [{ instanceId: instance.id }],
  });
  const lb = await until(async () => {
    const view = await call<LbView>(`${base}/v1/load-balancers/${created.loadBalancer.id}`, 'GET');
    return view.dataPlane.state === 'serving' ? view : undefined;
  }, 'the load balancer to serve');
  const port = lb.dataPlane.ports[0];
  return {
    pid: api.child.pid,
    lbUrl: `http://${hostPort(port.address!, port.hostPort!)}`,
    direct: `http://${hostPort(backendAddress, backendPort)}`,
  };
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  console.log(`bench:dataplane — ${method(load)}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-dataplane-'));
  const third = 1 + Math.floor(Math.random() * 250);
  const children: ChildProcess[] = [];
  const extraPaths: BenchPath[] = [];
  try {
    const backends = new Map<string, number>();
    const network = `10.${100 + (third % 50)}.0.0/16`;
    const threaded = await startCloudLb(
      dataDir,
      { lbPool: `203.0.${third}.0/24`, network, flags: [] },
      backends,
      children,
    );
    // The same cloud with its data plane on the API's event loop (its instance gets the same
    // private IP in the same network, so the same backend serves both).
    const onLoop = await startCloudLb(
      dataDir,
      { lbPool: `203.0.${(third % 250) + 1}.0/24`, network, flags: ['--data-plane-thread=false'] },
      backends,
      children,
    );
    const direct = threaded.direct;
    const oneHop = await bareProxy('127.0.0.1', direct, 1);
    const twoHops = await bareProxy('127.0.0.1', direct, 2);
    children.push(oneHop.child, twoHops.child);
    const paths: BenchPath[] = [
      { name: 'direct to the backend', baseUrl: direct },
      { name: 'floor: a bare Node proxy (1 hop)', baseUrl: oneHop.baseUrl, pid: oneHop.pid },
      { name: 'through the cloud LB', baseUrl: threaded.lbUrl, pid: threaded.pid },
      {
        name: "cloud LB on the API's event loop (--data-plane-thread=false)",
        baseUrl: onLoop.lbUrl,
        pid: onLoop.pid,
      },
      { name: 'floor: 2 bare hops in one process', baseUrl: twoHops.baseUrl, pid: twoHops.pid },
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
    await measureIdleCpu(paths, 3000);
    const samples = new Map<string, Sample[]>(paths.map((p) => [p.name, []]));
    for (let run = 1; run <= RUNS; run++) {
      // Alternate the order so drift on the shared machine does not favour one path.
      const order = run % 2 === 1 ? paths : [...paths].reverse();
      const measured = new Map<string, Throughput>();
      for (const p of order) {
        measured.set(p.name, await throughput(p));
      }
      const lat = await latencies(
        paths.map((p) => p.baseUrl),
        LATENCY_REQUESTS,
      );
      paths.forEach((p, i) => {
        const s = { ...measured.get(p.name)!, ...lat[i] };
        samples.get(p.name)!.push(s);
        console.log(
          `run ${run} ${p.name}: ${s.rps.toFixed(0)} req/s, ${s.cps.toFixed(0)} new conn/s, ${s.mbps.toFixed(0)} MB/s, p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms, proxy CPU ${s.cpuPerRequest.toFixed(1)} µs/req ${s.cpuPerMb.toFixed(2)} ms/MB`,
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
  if (values.some((v) => Number.isNaN(v))) {
    return '—';
  }
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(values).toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted[sorted.length - 1].toFixed(digits)})`;
}

function report(paths: BenchPath[], samples: Map<string, Sample[]>, load: number): void {
  const direct = samples.get(paths[0].name)!;
  const med = (list: Sample[], key: keyof Sample) => median(list.map((s) => s[key]));
  const verdict = (ok: boolean, goal: boolean) => (goal ? (ok ? ' ✔' : ' ✘') : '');
  const rows = paths.map((p, i) => {
    const s = samples.get(p.name)!;
    const column = (key: keyof Sample, digits: number) =>
      stat(
        s.map((x) => x[key]),
        digits,
      );
    if (i === 0) {
      return `| ${p.name} | ${column('rps', 0)} | 1.00× | ${column('cps', 0)} | 1.00× | ${column('mbps', 0)} | 1.00× | ${column('p50', 3)} | ${column('p99', 3)} | — | — | — |`;
    }
    // Goals apply to the product's paths, not to the floors.
    const goal = !p.name.startsWith('floor');
    const ratio = (key: keyof Sample) => med(s, key) / med(direct, key);
    const added = med(s, 'p99') - med(direct, 'p99');
    return `| ${p.name} | ${column('rps', 0)} | ${ratio('rps').toFixed(2)}×${verdict(ratio('rps') >= 0.5, goal)} | ${column('cps', 0)} | ${ratio('cps').toFixed(2)}× | ${column('mbps', 0)} | ${ratio('mbps').toFixed(2)}×${verdict(ratio('mbps') >= 0.5, goal)} | ${column('p50', 3)} | ${column('p99', 3)} | ${added.toFixed(3)} ms${verdict(added < 1, goal)} | ${column('cpuPerRequest', 1)} | ${column('cpuPerMb', 2)} |`;
  });
  const viaKubeProxy = paths.some((p) => p.name.includes('kube-proxy'));
  const section = [
    '<!-- dataplane:start -->',
    '## Load-balancer data plane',
    '',
    `Measured by \`npm run bench:dataplane\` (\`bench/dataplane/run.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${method(load)} The machine was shared with other work, so read the ratios, not the absolute numbers. Medians, with the spread (min–max) of the runs in parentheses.`,
    '',
    "Processes: the cloud API (`nimbus cloud-api` from `dist/`, one load balancer, TCP listener, round robin, default health check; its data plane in a worker thread of its own, the default) and a second one with `--data-plane-thread=false` (the data plane on the API's event loop, as before 2026-12-07) for the A/B row; the backend (a Node HTTP server, `bench/dataplane/backend.ts`); the floors (`bench/dataplane/bare-proxy.ts`: accept, dial, `pipe` both ways, TCP_NODELAY — no scheduler, health, affinity, source ranges or counters; one process per floor row); the load generator in the bench process.",
    viaKubeProxy
      ? "LB → kube-proxy → pod: `nimbus up` (from `dist/`, one worker) in its own process, a selector-less LoadBalancer Service whose EndpointSlice names a second copy of the backend program at a pod address of worker-1; the path is client → the Service's cloud LB (cloud API in `nimbus up`) → worker-1's NodePort (kube-proxy, same process) → the backend. The LB hands each connection to the NodePort's listener in process (docs/dataplane.md, in-process hand-off), so the bytes take one user-space hop: compare it with the one-hop floor, and with the two-hop floor for what two real hops on one event loop cost."
      : 'LB → kube-proxy → pod: not measured in this run (`startKubeProxyPath` in `bench/dataplane/paths.ts` failed or was skipped).',
    'Goals (issue 11, ✔/✘ on the product rows): ≥ 0.5× direct req/s (keep-alive) and MB/s, p99 added latency < 1 ms. new conn/s has no goal; it shows what connection set-up costs through each hop.',
    "Proxy CPU: user + system time of the path's proxying process (cloud API, `nimbus up`, the floor's process; `/proc/<pid>/stat`, 10 ms ticks) per keep-alive request of the req/s run and per MB of the MB/s run, minus its idle rate measured for 3 s after the warm-up — the data plane's own cost, which the machine's load does not change as it changes the rates.",
    '',
    '| Path | req/s | vs direct | new conn/s | vs direct | MB/s | vs direct | p50 ms | p99 ms | p99 added | proxy CPU µs/req | proxy CPU ms/MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '<!-- dataplane:end -->',
  ].join('\n');
  console.log(`\n${section}\n`);
  writeBenchmarkSection('dataplane', section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

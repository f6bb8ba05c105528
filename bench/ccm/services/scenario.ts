import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  millis,
  percentile,
  rotated,
  seconds,
  spread,
  type BenchRow,
  type OwnProcessScenario,
} from '../scenario';
import { SERVICES_RUN_SETTINGS as S, type ServicesRunResult } from './settings';

const ROOT = join(__dirname, '../../..');
const WORKER_SETTINGS = [1, 5, 10];

/** `one-run.ts <workers> <services>` in a fresh Node process; its last stdout line is the result. */
function runOnce(workers: number, services: number): Promise<ServicesRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(__dirname, 'one-run.ts'),
        String(workers),
        String(services),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`one-run.ts ${workers} exited with ${code}: ${out.slice(-500)}`));
        return;
      }
      resolve(JSON.parse(last) as ServicesRunResult);
    });
  });
}

const ms = (x: number) => millis(x).replace(' ms', '');

/** The per-Service stages a row reports, in pipeline order. */
const STAGE_ROWS: [key: string, label: string][] = [
  ['createToWatched', 'create answered → ADDED seen by a watch'],
  ['queue', 'ADDED seen → EnsureLoadBalancer called (queue wait + finalizer patch)'],
  ['cloud', 'EnsureLoadBalancer (cloud lookup + create, LB active)'],
  ['statusWrite', 'EnsureLoadBalancer done → ingress seen (status patch + watch)'],
  ['createToIngress', 'create answered → ingress seen'],
];

/**
 * 1,000 LoadBalancer Services to ingress: each `--concurrent-service-syncs` setting runs in a
 * fresh process (own api-server, cloud API and CCM) after a warm-up, `runs` times, the settings
 * rotating their order each round so load drift on the shared machine does not follow a setting.
 */
export const loadBalancers: OwnProcessScenario = {
  id: 'services',
  title: `${S.services} LoadBalancer services`,
  ownProcesses: true,
  describe: (options) =>
    [
      `How it runs: \`bench/ccm/services/one-run.ts <workers>\` in a fresh Node process per run: the built-in`,
      'api-server, the cloud API and a CCM with `--controllers=service` in that one process (as `nimbus up`',
      `runs them: ${S.apiServerThread ? 'the api-server in its worker thread, the rest on the main event loop' : 'one event loop'}), started through the e2e harness (\`apps/cloud-controller-manager/test/harness.ts\`).`,
      `Settings: ${S.nodes} Nodes with running instances behind every LB; cloud \`--transition-ms 0\`,`,
      '`--rate-limits off` (the default mutation bucket refills 50/s, which alone makes 1,000 creates take 20 s),',
      `\`--lb-ipv4-pool ${S.cloud.lbIpv4Pool}\`, quotas raised (\`${S.cloud.quotas}\`), the LB data plane on`,
      '(listeners bound on loopback, health checks running); CCM with leader election on (Lease, 15 s / 10 s / 2 s),',
      'logs off (no logger: `--log-level silent`), no client-side QPS limit (Nimbus does not emulate `--kube-api-qps`).',
      `Each run first brings ${S.warmUp} Services to ingress (warm-up, not measured), then creates ${options.services ?? S.services}`,
      `(${S.inFlight} in flight) and watches them to ingress; then adds one more Node (with its instance) and times the`,
      "controller's node sync (`UpdateLoadBalancer` on every Service) by its `service_controller_nodesync_latency_seconds`",
      "count, checking the cloud once afterwards. Per-Service stages come from the bench's watch and from",
      'the provider wrapped to time `EnsureLoadBalancer` (the only call between the finalizer patch and the status patch).',
      `Cells are the median (min–max) of ${options.runs} runs per setting; the p99 ratio is against`,
      '`--concurrent-service-syncs=1` of the same round. CPU ms/Service is the process’s user + system time over',
      'the measured wave ÷ Services (every thread); event-loop busy is the main thread’s `performance.eventLoopUtilization()` over the same wave.',
    ].join('\n'),
  async run(options): Promise<BenchRow[]> {
    const services = options.services ?? S.services;
    const results = new Map<number, ServicesRunResult[]>(WORKER_SETTINGS.map((w) => [w, []]));
    const ratios = new Map<number, number[]>(WORKER_SETTINGS.map((w) => [w, []]));
    for (let round = 0; round < options.runs; round++) {
      const order = rotated(WORKER_SETTINGS, round);
      const p99 = new Map<number, number>();
      for (const workers of order) {
        const result = await runOnce(workers, services);
        console.log(
          `round ${round + 1}, --concurrent-service-syncs=${workers}: total ${seconds(result.totalMs)}, p99 ${millis(percentile(result.stages.createToIngress, 99))}`,
        );
        results.get(workers)?.push(result);
        p99.set(workers, percentile(result.stages.createToIngress, 99));
      }
      for (const w of WORKER_SETTINGS) {
        ratios.get(w)?.push((p99.get(w) ?? NaN) / (p99.get(1) ?? NaN));
      }
    }
    const rows: BenchRow[] = [];
    for (const workers of WORKER_SETTINGS) {
      const runs = results.get(workers) ?? [];
      const label = `--concurrent-service-syncs=${workers}`;
      const of = (f: (r: ServicesRunResult) => number, format: (x: number) => string) =>
        spread(runs.map(f), format);
      rows.push([`${label}: services with ingress`, of((r) => r.withIngress, String)]);
      rows.push([
        `${label}: total (first create → all with ingress) / creates alone`,
        `${of((r) => r.totalMs, seconds)} / ${of((r) => r.createsMs, seconds)}`,
      ]);
      for (const [key, stage] of STAGE_ROWS) {
        rows.push([
          `${label}: ${stage}, p50 / p99 (ms)`,
          `${of((r) => percentile(r.stages[key], 50), ms)} / ${of((r) => percentile(r.stages[key], 99), ms)}`,
        ]);
      }
      if (workers !== 1) {
        rows.push([
          `${label}: create → ingress p99 ÷ 1 worker's (same round)`,
          spread(ratios.get(workers) ?? [], (x) => `${x.toFixed(2)}×`),
        ]);
      }
      rows.push([
        `${label}: one more node → every LB updated (node sync)`,
        of((r) => r.nodeSyncMs ?? NaN, seconds),
      ]);
      rows.push([
        `${label}: CPU ms per Service / event loop busy`,
        `${of(
          (r) => r.cpuMsPerService,
          (x) => x.toFixed(1),
        )} / ${of(
          (r) => r.eventLoopBusy * 100,
          (x) => `${x.toFixed(0)} %`,
        )}`,
      ]);
    }
    return rows;
  },
};

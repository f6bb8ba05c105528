import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeSchedulerConfig, validateConfig } from '@app/config';
import type { V1Node, V1Pod } from '@app/kube-client';
import { PodInfo } from '../../apps/kube-scheduler/src/cache/pod-info';
import { SchedulerCache } from '../../apps/kube-scheduler/src/cache/scheduler-cache';
import { defaultFramework } from '../../apps/kube-scheduler/src/framework/default-profile';
import { ScheduleAlgorithm } from '../../apps/kube-scheduler/src/framework/schedule-pod';
import { startKubeScheduler } from '../../apps/kube-scheduler/src';
import { FakeListers } from '../../apps/kube-scheduler/src/testing/builders';
import { kubeletNode } from '../../apps/kube-scheduler/test/kubelet-node';
import { benchClient, percentile, type BenchClient } from '../kube-apiserver/http-client';
import { parallel, serverCredentials, startServer } from '../kube-apiserver/server-process';

// `npm run bench:scheduler [-- --nodes 1000 --pods 5000]`: kube-scheduler on N nodes against the
// real api-server (its own process, as `nimbus apiserver`), binds included. Baseline measured in
// the same run: the api-server's raw create rate for the same number of (pre-bound) pods.

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const NODES = arg('nodes', 1000);
const PODS = arg('pods', 5000);
const CLIENTS = 10;
const ZONES = ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'];

async function create(client: BenchClient, path: string, body: unknown): Promise<void> {
  const r = await client.call('POST', path, body);
  if (r.status !== 201) {
    throw new Error(`POST ${path} → ${r.status}: ${r.body.slice(0, 300)}`);
  }
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const nodeName = (i: number) => `node-${String(i).padStart(5, '0')}`;
const nodes = () =>
  Array.from(
    { length: NODES },
    (_, i) =>
      kubeletNode(nodeName(i), {
        initialized: true,
        zone: ZONES[i % ZONES.length],
        address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      }) as V1Node,
  );

const benchPod = (name: string, namespace: string, node?: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: 'bench' } },
  spec: {
    ...(node ? { nodeName: node } : {}),
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
      },
    ],
  },
});

/** The cost of one scheduling attempt in-process (no API): filters, scores, assume. */
function algorithmCost(): { perPod: number[]; total: number } {
  const cache = new SchedulerCache();
  nodes().forEach((n) => cache.addNode(n));
  const framework = defaultFramework(
    { cache, listers: new FakeListers() },
    { random: Math.random },
  );
  const algorithm = new ScheduleAlgorithm(framework, cache, 0, Math.random);
  const perPod: number[] = [];
  const started = performance.now();
  for (let i = 0; i < PODS; i++) {
    const pod = new PodInfo({
      ...benchPod(`algo-${i}`, 'algo'),
      metadata: { name: `algo-${i}`, namespace: 'algo', uid: `u-${i}`, labels: { app: 'bench' } },
    });
    const t0 = performance.now();
    const r = algorithm.schedule(new Map(), pod);
    if (r.kind !== 'scheduled') {
      throw new Error(`algorithm did not place ${pod.name}: ${r.kind}`);
    }
    cache.assumePod(pod, r.node);
    perPod.push(performance.now() - t0);
  }
  return { perPod: perPod.sort((a, b) => a - b), total: performance.now() - started };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const rows: [string, string][] = [];
  const ms = (n: number) => `${n.toFixed(2)} ms`;

  // 0. The algorithm alone (warms the JIT for the real run too).
  const algo = algorithmCost();
  rows.push([
    `algorithm only: ${PODS} pods on ${NODES} nodes, per attempt p50 / p99`,
    `${ms(percentile(algo.perPod, 50))} / ${ms(percentile(algo.perPod, 99))} (${Math.round((PODS / algo.total) * 1000)} pods/s)`,
  ]);

  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-scheduler-bench-'));
  const server = await startServer(dataDir);
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  const { ca, token } = serverCredentials(dataDir);
  const client = benchClient(server.url, ca, token, CLIENTS);
  let scheduler: Awaited<ReturnType<typeof startKubeScheduler>> | undefined;
  try {
    const all = nodes();
    const nodeMs = await parallel(NODES, CLIENTS, (i) => create(client, '/api/v1/nodes', all[i]));
    rows.push([
      `register ${NODES} kubelet-shaped nodes`,
      `${Math.round((NODES / nodeMs) * 1000)} nodes/s`,
    ]);
    for (const ns of ['baseline', 'bench']) {
      await create(client, '/api/v1/namespaces', { metadata: { name: ns } });
      // The ServiceAccount admission needs `default` (the kube-controller-manager's job).
      await create(client, `/api/v1/namespaces/${ns}/serviceaccounts`, {
        metadata: { name: 'default' },
      });
    }

    // 1. Baseline: the api-server's raw create rate for the same number of pods (pre-bound).
    const baseLatencies: number[] = [];
    const baseMs = await parallel(PODS, CLIENTS, async (i) => {
      const t0 = performance.now();
      await create(
        client,
        '/api/v1/namespaces/baseline/pods',
        benchPod(`base-${i}`, 'baseline', nodeName(i % NODES)),
      );
      baseLatencies.push(performance.now() - t0);
    });
    baseLatencies.sort((a, b) => a - b);
    const baseRate = (PODS / baseMs) * 1000;
    rows.push([
      `baseline: create ${PODS} bound pods (${CLIENTS} clients), p99`,
      `${Math.round(baseRate)} pods/s, ${ms(percentile(baseLatencies, 99))}`,
    ]);

    // 2. The scheduler (in this process) against the api-server; created → bound per pod.
    scheduler = await startKubeScheduler(
      validateConfig(KubeSchedulerConfig, {
        kubeconfig: kubeconfigPath,
        leaderElect: 'false',
        securePort: '-1',
        logLevel: 'silent',
      }),
    );
    const created = new Map<string, number>();
    const bound = new Map<string, number>();
    let allBound!: () => void;
    const done = new Promise<void>((r) => (allBound = r));
    const closeWatch = await client.watch('/api/v1/namespaces/bench/pods?watch=true', (line) => {
      const e = JSON.parse(line) as { type: string; object: V1Pod };
      const name = e.object.metadata?.name ?? '';
      if (e.object.spec?.nodeName && !bound.has(name)) {
        bound.set(name, performance.now());
        if (bound.size === PODS) {
          allBound();
        }
      }
    });
    const cpuBefore = { bench: process.cpuUsage(), server: cpuSeconds(server.pid) };
    const started = performance.now();
    await parallel(PODS, CLIENTS, async (i) => {
      const name = `pod-${i}`;
      const t0 = performance.now();
      await create(client, '/api/v1/namespaces/bench/pods', benchPod(name, 'bench'));
      created.set(name, t0);
    });
    const createdAll = performance.now();
    await Promise.race([
      done,
      new Promise((_, fail) =>
        setTimeout(
          () => fail(new Error(`only ${bound.size}/${PODS} pods bound after 300 s`)),
          300_000,
        ),
      ),
    ]);
    const finished = Math.max(...bound.values());
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const serverCpu = cpuSeconds(server.pid) - cpuBefore.server;
    closeWatch();
    const e2eRate = (PODS / (finished - started)) * 1000;
    const latencies = [...created]
      .map(([name, t]) => (bound.get(name) ?? NaN) - t)
      .sort((a, b) => a - b);
    rows.push([
      `scheduled + bound: ${PODS} pods on ${NODES} nodes, end to end`,
      `${Math.round(e2eRate)} pods/s (${(e2eRate / baseRate).toFixed(2)}× the baseline create rate)`,
    ]);
    rows.push([
      'created → bound per pod p50 / p99',
      `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
    ]);
    rows.push([
      'creates alone took / last bind after last create',
      `${ms(createdAll - started)} / ${ms(finished - createdAll)}`,
    ]);
    rows.push([
      'CPU during that phase: api-server process / scheduler (+ bench client) process',
      `${serverCpu.toFixed(1)} s / ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s over ${((finished - started) / 1000).toFixed(1)} s`,
    ]);
    const metrics = await scheduler.registry.getSingleMetricAsString(
      'scheduler_schedule_attempts_total',
    );
    rows.push([
      'scheduler_schedule_attempts_total',
      metrics
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('; '),
    ]);
  } finally {
    await scheduler?.close();
    server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    `# kube-scheduler bench: ${NODES} nodes, ${PODS} pods, ${cpus().length} cores, Node ${process.version}, load ${loadBefore.toFixed(2)}`,
  );
  for (const [k, v] of rows) {
    console.log(`| ${k} | ${v} |`);
  }
}

// Exit explicitly: pooled keep-alive sockets may outlive the server by a while.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

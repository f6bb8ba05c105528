import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '@app/common';
import { SystemScheduler } from '@app/controller-runtime';
import { InformerFactory, type V1Node } from '@app/kube-client';
import {
  UNINITIALIZED_TAINT,
  hasTaint,
  type CcmHarness,
} from '../../../apps/cloud-controller-manager/test/harness';
import {
  inParallel,
  millis,
  percentile,
  rotated,
  seconds,
  spread,
  type BenchOptions,
  type BenchRow,
  type CcmBenchScenario,
} from '../scenario';

const NODES = 500;
const WORKER_SETTINGS = [1, 5];
const WARM_UP = 50;
const BENCH_SCHEDULER = new SystemScheduler(new AdjustableClock());

interface JoinRun {
  initialised: number;
  totalMs: number;
  /** Node create sent → initialised, sorted. */
  latencies: number[];
}

/**
 * `count` instances, then `count` tainted Nodes created (20 in flight) under a fresh CCM with
 * `workers` node syncs; resolves once every Node is initialised (or after 2 minutes).
 */
async function joinOnce(
  stack: CcmHarness,
  workers: number,
  prefix: string,
  count: number,
): Promise<JoinRun> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await inParallel(names, 20, (name) => stack.createInstance(name));
  const ccm = await stack.startCcm({
    controllers: 'cloud-node,cloud-node-lifecycle',
    concurrentNodeSyncs: String(workers),
    nodeMonitorPeriod: '5s',
    nodeStatusUpdateFrequency: '5m',
  });
  const sentAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  // Observed through a watch (cheap), not by listing: the bench shares the process's 2 cores.
  const observer = new InformerFactory(stack.kubeConfig, { scheduler: BENCH_SCHEDULER });
  const allDone = new Promise<void>((resolve) => {
    const seen = (node: V1Node) => {
      const name = node.metadata?.name ?? '';
      if (
        name.startsWith(`${prefix}-`) &&
        !doneAt.has(name) &&
        !hasTaint(node, UNINITIALIZED_TAINT)
      ) {
        doneAt.set(name, performance.now());
        if (doneAt.size === count) {
          resolve();
        }
      }
    };
    observer.nodes().addEventHandler({ onAdd: seen, onUpdate: (_old, node) => seen(node) });
  });
  await observer.start();
  const start = performance.now();
  const creating = inParallel(names, 20, async (name) => {
    sentAt.set(name, performance.now());
    await stack.createNode(name);
  });
  await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 120_000))]);
  await observer.stop();
  await creating;
  await stack.stopCcm(ccm);
  // Nodes left behind would be monitored by the next run's node lifecycle controller.
  await inParallel(names, 20, (name) => stack.core.deleteNode({ name }));
  return {
    initialised: doneAt.size,
    totalMs: Math.max(...doneAt.values()) - start,
    latencies: [...doneAt.entries()]
      .map(([name, at]) => at - (sentAt.get(name) ?? start))
      .sort((a, b) => a - b),
  };
}

/** 500 tainted Nodes registered at once (instances exist) → time until all are initialised. */
export const nodesJoin: CcmBenchScenario = {
  id: 'nodes',
  title: `${NODES} nodes joining`,
  describe: (options) =>
    [
      `${NODES} instances are created in the cloud first (not measured); then ${NODES} Nodes carrying`,
      '`node.cloudprovider.kubernetes.io/uninitialized` are created through the api-server (20 in flight) and the bench',
      'watches Nodes until every taint is gone. Latency = Node create sent → the watch event showing it',
      `initialised. Settings: \`--concurrent-node-syncs\` ${WORKER_SETTINGS.join(' and ')}, each run with a fresh CCM`,
      '(`--controllers=cloud-node,cloud-node-lifecycle`, leader election off, logs off) and fresh Nodes on the',
      `shared stack, deleted after the run; first a warm-up of ${WARM_UP} nodes (not measured), then ${options.runs} rounds with the settings'`,
      'order rotating each round; cells are the median (min–max) of the rounds. Other flags at their upstream',
      'defaults (no client-side QPS limit: Nimbus does not emulate `--kube-api-qps`).',
      'With cloud transitions at 0 an initialisation is a cloud lookup, a Node PUT, a status PATCH and an Event',
      '(~2 ms each), so the default single worker keeps up with the join rate and more workers change little.',
      'Against a cloud with real latency, set `--concurrent-node-syncs=5` (as cloud-provider-kind does).',
      'Before client-node requests reused keep-alive connections (it builds a new TLS agent per request),',
      'the same run took 16.8 s with 1 worker.',
    ].join('\n'),
  async run(stack: CcmHarness, options: BenchOptions): Promise<BenchRow[]> {
    await joinOnce(stack, 1, 'bench-warm', WARM_UP);
    const runs = new Map<number, JoinRun[]>(WORKER_SETTINGS.map((w) => [w, []]));
    for (let round = 0; round < options.runs; round++) {
      for (const workers of rotated(WORKER_SETTINGS, round)) {
        const run = await joinOnce(stack, workers, `bench-r${round}-w${workers}`, NODES);
        console.log(
          `round ${round + 1}, --concurrent-node-syncs=${workers}: total ${seconds(run.totalMs)}, p99 ${millis(percentile(run.latencies, 99))}`,
        );
        runs.get(workers)?.push(run);
      }
    }
    const rows: BenchRow[] = [];
    for (const workers of WORKER_SETTINGS) {
      const of = (f: (r: JoinRun) => number, format: (x: number) => string) =>
        spread((runs.get(workers) ?? []).map(f), format);
      const label = `--concurrent-node-syncs=${workers}`;
      rows.push([`${label}: nodes initialised`, `${of((r) => r.initialised, String)} / ${NODES}`]);
      rows.push([
        `${label}: total (first create → all initialised)`,
        of((r) => r.totalMs, seconds),
      ]);
      rows.push([
        `${label}: create → initialised p50 / p99`,
        `${of((r) => percentile(r.latencies, 50), millis)} / ${of((r) => percentile(r.latencies, 99), millis)}`,
      ]);
    }
    return rows;
  },
};

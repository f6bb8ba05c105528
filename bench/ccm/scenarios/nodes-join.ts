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
  seconds,
  type BenchRow,
  type CcmBenchScenario,
} from '../scenario';

const NODES = 500;
const WORKER_SETTINGS = [1, 5];
const BENCH_SCHEDULER = new SystemScheduler(new AdjustableClock());

/** 500 tainted Nodes registered at once (instances exist) → time until all are initialised. */
export const nodesJoin: CcmBenchScenario = {
  id: 'nodes',
  title: `${NODES} nodes joining`,
  describe: () =>
    [
      `${NODES} instances are created in the cloud first (not measured); then ${NODES} Nodes carrying`,
      '`node.cloudprovider.kubernetes.io/uninitialized` are created through the api-server (20 in flight) and the bench',
      'watches Nodes until every taint is gone. Latency = Node create sent → the watch event showing it',
      `initialised. One run per \`--concurrent-node-syncs\` value (${WORKER_SETTINGS.join(', ')}); other flags at their`,
      'upstream defaults (no client-side QPS limit: Nimbus does not emulate `--kube-api-qps`).',
      'With cloud transitions at 0 an initialisation is a cloud lookup, a Node PUT, a status PATCH and an Event',
      '(~2 ms each), so the default single worker keeps up with the join rate and more workers change little.',
      'Against a cloud with real latency, set `--concurrent-node-syncs=5` (as cloud-provider-kind does).',
      'Before client-node requests reused keep-alive connections (it builds a new TLS agent per request),',
      'the same run took 16.8 s with 1 worker.',
    ].join('\n'),
  async run(stack: CcmHarness): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const workers of WORKER_SETTINGS) {
      const prefix = `bench-w${workers}`;
      const names = Array.from({ length: NODES }, (_, i) => `${prefix}-${i}`);
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
            if (doneAt.size === NODES) {
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
      const total = Math.max(...doneAt.values()) - start;
      const latencies = [...doneAt.entries()]
        .map(([name, at]) => at - (sentAt.get(name) ?? start))
        .sort((a, b) => a - b);
      await stack.stopCcm(ccm);
      const label = `--concurrent-node-syncs=${workers}`;
      rows.push([`${label}: nodes initialised`, `${doneAt.size} / ${NODES}`]);
      rows.push([`${label}: total (first create → all initialised)`, seconds(total)]);
      rows.push([
        `${label}: create → initialised p50 / p99`,
        `${millis(percentile(latencies, 50))} / ${millis(percentile(latencies, 99))}`,
      ]);
    }
    return rows;
  },
};

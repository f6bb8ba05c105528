import { performance } from 'node:perf_hooks';
import { collect } from '@app/cloud-client';
import { AdjustableClock } from '@app/common';
import { SystemScheduler } from '@app/controller-runtime';
import { InformerFactory, PatchStrategy, setHeaderOptions, type V1Service } from '@app/kube-client';
import type { CcmHarness } from '../../../apps/cloud-controller-manager/test/harness';
import {
  inParallel,
  millis,
  percentile,
  seconds,
  type BenchRow,
  type CcmBenchScenario,
} from '../scenario';

const SERVICES = 1000;
const WORKER_SETTINGS = [1, 5, 10];
const NODES = 3;
const NODE_SYNC_METRIC = 'service_controller_nodesync_latency_seconds';
const TIMEOUT_MS = 300_000;
const BENCH_SCHEDULER = new SystemScheduler(new AdjustableClock());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (!(await probe())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(50);
  }
}

/** A Node for a fresh instance, with its providerID (the node controller is not the subject). */
async function addNode(stack: CcmHarness, name: string): Promise<string> {
  const instance = await stack.createInstance(name);
  await stack.createNode(name, { tainted: false, ready: 'True', providerID: instance.providerId });
  return instance.id;
}

/** Gets rid of a run's Services without a CCM (finalizers stripped), so the next CCM never sees them. */
async function removeServices(stack: CcmHarness, names: string[]): Promise<void> {
  await inParallel(names, 20, async (name) => {
    await stack.core.patchNamespacedService(
      { namespace: 'default', name, body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await stack.core.deleteNamespacedService({ namespace: 'default', name });
  });
}

/** 1,000 LoadBalancer Services → ingress on all; then one more node → every LB updated. */
export const loadBalancers: CcmBenchScenario = {
  id: 'services',
  title: `${SERVICES} LoadBalancer services`,
  describe: () =>
    [
      `${NODES} Nodes with instances exist. A CCM with \`--controllers=service\` runs; ${SERVICES} Services`,
      '`type: LoadBalancer` are created through the api-server (20 in flight) and a watch records when each',
      'gets `status.loadBalancer.ingress`. Latency = create answered → ingress seen; total = first create →',
      `last ingress. Then one more Node (with its instance) is added: time until the controller's node sync`,
      `(\`UpdateLoadBalancer\` for each of the ${SERVICES} Services) has finished, by its`,
      '`service_controller_nodesync_latency_seconds` count; the cloud is then checked once. One run per',
      `\`--concurrent-service-syncs\` value (${WORKER_SETTINGS.join(', ')}; upstream default 1, GCE scale tests and`,
      'cloud-provider-kind use 5); cloud transitions at 0 and cloud throttling off (`--rate-limits off`: the default mutation bucket refills 50/s); no client-side QPS limit.',
    ].join('\n'),
  async run(stack: CcmHarness): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (let i = 0; i < NODES; i++) {
      await addNode(stack, `lb-bench-node-${i}`);
    }
    for (const workers of WORKER_SETTINGS) {
      const prefix = `lb-w${workers}`;
      const names = Array.from({ length: SERVICES }, (_, i) => `${prefix}-${i}`);
      const ccm = await stack.startCcm({
        controllers: 'service',
        concurrentServiceSyncs: String(workers),
      });
      const createdAt = new Map<string, number>();
      const ingressAt = new Map<string, number>();
      const observer = new InformerFactory(stack.kubeConfig, { scheduler: BENCH_SCHEDULER });
      const seen = (svc: V1Service) => {
        const name = svc.metadata?.name ?? '';
        if (
          name.startsWith(`${prefix}-`) &&
          !ingressAt.has(name) &&
          (svc.status?.loadBalancer?.ingress ?? []).length > 0
        ) {
          ingressAt.set(name, performance.now());
        }
      };
      observer.services().addEventHandler({ onAdd: seen, onUpdate: (_old, svc) => seen(svc) });
      await observer.start();
      const start = performance.now();
      await inParallel(names, 20, async (name) => {
        await stack.core.createNamespacedService({
          namespace: 'default',
          body: {
            metadata: { name },
            spec: {
              type: 'LoadBalancer',
              selector: { app: name },
              ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
            },
          },
        });
        createdAt.set(name, performance.now());
      });
      await until(() => ingressAt.size === SERVICES, `ingress on ${SERVICES} services`);
      await observer.stop();
      const total = Math.max(...ingressAt.values()) - start;
      const latencies = names
        .map((n) => (ingressAt.get(n) ?? NaN) - (createdAt.get(n) ?? start))
        .sort((a, b) => a - b);

      // The node phase is timed by the controller's own node-sync metric (polling 1,000 LBs in the
      // cloud every few ms would load the same process); the cloud is checked once afterwards.
      const nodeSyncs = async () => {
        const metric = await ccm.registry.getSingleMetric(NODE_SYNC_METRIC)?.get();
        const count = metric?.values.find(
          (v) => (v as { metricName?: string }).metricName === `${NODE_SYNC_METRIC}_count`,
        );
        return count?.value ?? 0;
      };
      const syncsBefore = await nodeSyncs();
      const nodeStart = performance.now();
      const instanceId = await addNode(stack, `${prefix}-extra-node`);
      await until(async () => (await nodeSyncs()) > syncsBefore, 'the node sync');
      const nodeSync = performance.now() - nodeStart;
      const lbs = await collect(stack.cloud.loadBalancers.listAll());
      const updated = lbs.filter(
        (lb) =>
          lb.labels['kubernetes.io/service-name']?.startsWith(`${prefix}-`) &&
          lb.backends.some((b) => b.instanceId === instanceId),
      ).length;
      await stack.stopCcm(ccm);
      await removeServices(stack, names);

      const label = `--concurrent-service-syncs=${workers}`;
      rows.push([`${label}: services with ingress`, `${ingressAt.size} / ${SERVICES}`]);
      rows.push([`${label}: total (first create → all with ingress)`, seconds(total)]);
      rows.push([
        `${label}: create → ingress p50 / p99`,
        `${millis(percentile(latencies, 50))} / ${millis(percentile(latencies, 99))}`,
      ]);
      rows.push([
        `${label}: node added → all LBs updated (${updated} / ${SERVICES} have it)`,
        seconds(nodeSync),
      ]);
    }
    return rows;
  },
};

import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '@app/common';
import { collect } from '@app/cloud-client';
import { NimbusCloudProvider } from '@app/cloud-provider';
import { SystemScheduler } from '@app/controller-runtime';
import { InformerFactory, type V1Service } from '@app/kube-client';
import { CLOUD_TOKEN, CcmHarness } from '../../../apps/cloud-controller-manager/test/harness';
import { inParallel } from '../scenario';
import type { Registry } from 'prom-client';
import { StageLog, timedProvider } from './stages';
import { SERVICES_RUN_SETTINGS as S, type ServicesRunResult } from './settings';

// One measured run of the LoadBalancer-services scenario in this (fresh) process:
// `ts-node bench/ccm/services/one-run.ts <workers>` prints one JSON line (ServicesRunResult).
// The parent (services/scenario.ts) runs it several times per worker setting.

const FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
const NODE_SYNC_METRIC = 'service_controller_nodesync_latency_seconds';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + S.timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(20);
  }
}

/** Creates `names` (S.inFlight at a time) and waits until each has ingress. */
async function wave(stack: CcmHarness, log: StageLog, names: string[]): Promise<void> {
  await inParallel(names, S.inFlight, async (name) => {
    log.mark(name, 'sent');
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
    log.mark(name, 'created');
  });
  await until(() => names.every((n) => log.has(n, 'ingress')), `ingress on ${names.length}`);
}

/** A node with its instance, its providerID set (the node controller is not the subject). */
async function addNode(stack: CcmHarness, name: string): Promise<string> {
  const instance = await stack.createInstance(name);
  await stack.createNode(name, { tainted: false, ready: 'True', providerID: instance.providerId });
  return instance.id;
}

/**
 * One more node → the controller's node sync (`UpdateLoadBalancer` for every Service), timed by
 * its own metric (polling 1,000 LBs in the cloud would load the same process); the cloud is
 * checked once afterwards, and a sync that missed a load balancer fails the run.
 */
async function timeNodeSync(stack: CcmHarness, registry: Registry, names: string[]) {
  const syncs = async () => {
    const metric = await registry.getSingleMetric(NODE_SYNC_METRIC)?.get();
    const count = metric?.values.find(
      (v) => (v as { metricName?: string }).metricName === `${NODE_SYNC_METRIC}_count`,
    );
    return count?.value ?? 0;
  };
  const before = await syncs();
  const started = performance.now();
  const instanceId = await addNode(stack, 'lb-bench-extra-node');
  let done = false;
  while (!done) {
    await sleep(20);
    done = (await syncs()) > before;
    if (!done && performance.now() - started > S.timeoutMs) {
      throw new Error('timed out waiting for the node sync');
    }
  }
  const took = performance.now() - started;
  const wanted = new Set(names);
  const lbs = await collect(stack.cloud.loadBalancers.listAll());
  const missing = lbs.filter(
    (lb) =>
      wanted.has(lb.labels['kubernetes.io/service-name'] ?? '') &&
      !lb.backends.some((b) => b.instanceId === instanceId),
  ).length;
  if (missing > 0) {
    throw new Error(`the node sync left ${missing} load balancers without the new node`);
  }
  return took;
}

async function main(): Promise<void> {
  const workers = Number(process.argv[2]);
  const services = Number(process.argv[3] ?? S.services);
  if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(services) || services < 1) {
    throw new Error('usage: one-run.ts <concurrent-service-syncs> [services]');
  }
  const stack = await CcmHarness.start(S.cloud, { apiServerThread: S.apiServerThread });
  try {
    for (let i = 0; i < S.nodes; i++) {
      await addNode(stack, `lb-bench-node-${i}`);
    }
    const log = new StageLog();
    const provider = timedProvider(
      NimbusCloudProvider.create({ baseUrl: stack.cloudApi.url, token: CLOUD_TOKEN }),
      log,
    );
    const ccm = await stack.startCcm(
      { ...S.ccmFlags, concurrentServiceSyncs: String(workers) },
      { cloud: provider },
    );
    const observer = new InformerFactory(stack.kubeConfig, {
      scheduler: new SystemScheduler(new AdjustableClock()),
    });
    const seen = (svc: V1Service) => {
      const name = svc.metadata?.name ?? '';
      log.mark(name, 'watched');
      if ((svc.status?.loadBalancer?.ingress ?? []).length > 0) {
        log.mark(name, 'ingress');
      } else if (svc.metadata?.finalizers?.includes(FINALIZER)) {
        log.mark(name, 'finalizer');
      }
    };
    observer.services().addEventHandler({ onAdd: seen, onUpdate: (_old, svc) => seen(svc) });
    await observer.start();
    try {
      // Warm-up: JIT, connection pools, SQLite pages; not measured.
      await wave(
        stack,
        log,
        Array.from({ length: S.warmUp }, (_, i) => `warm-${i}`),
      );
      const names = Array.from({ length: services }, (_, i) => `lb-${i}`);
      const cpuBefore = process.cpuUsage();
      const eluBefore = performance.eventLoopUtilization();
      const started = performance.now();
      await wave(stack, log, names);
      const cpu = process.cpuUsage(cpuBefore);
      const result: ServicesRunResult = {
        workers,
        services,
        cpuMsPerService: (cpu.user + cpu.system) / 1000 / services,
        eventLoopBusy: performance.eventLoopUtilization(eluBefore).utilization,
        withIngress: names.filter((n) => log.has(n, 'ingress')).length,
        totalMs: log.last('ingress', 'lb-') - started,
        createsMs: log.last('created', 'lb-') - started,
        stages: {
          createToIngress: log.between('created', 'ingress', 'lb-'),
          queue: log.between('watched', 'ensureStart', 'lb-'),
          cloud: log.between('ensureStart', 'ensureEnd', 'lb-'),
          statusWrite: log.between('ensureEnd', 'ingress', 'lb-'),
          createToWatched: log.between('created', 'watched', 'lb-'),
          finalizerToEnsure: log.between('finalizer', 'ensureStart', 'lb-'),
        },
      };
      result.nodeSyncMs = await timeNodeSync(stack, ccm.registry, names);
      console.log(JSON.stringify(result));
    } finally {
      await observer.stop();
      await stack.stopCcm(ccm);
    }
  } finally {
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

import { performance } from 'node:perf_hooks';
import { parseRouteDescription } from '@app/cloud-provider';
import { AdjustableClock } from '@app/common';
import { SystemScheduler } from '@app/controller-runtime';
import { InformerFactory, type V1Node } from '@app/kube-client';
import type { CcmHarness } from '../../../apps/cloud-controller-manager/test/harness';
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
const JOINING = 100;
const WARM_UP = 50;
/** A /11 in /24s: 8,192 pod CIDRs, never reused (a destination is unique per network). */
const CLUSTER_CIDR = '10.224.0.0/11';
const BENCH_SCHEDULER = new SystemScheduler(new AdjustableClock());

/** The i-th /24 of CLUSTER_CIDR. */
const podCidr = (i: number) => `10.${224 + Math.floor(i / 256)}.${i % 256}.0/24`;

/** The route controller's `NetworkUnavailable=False` / `RouteCreated` on a node. */
const routeCreated = (node: V1Node) =>
  (node.status?.conditions ?? []).some(
    (c) => c.type === 'NetworkUnavailable' && c.status === 'False' && c.reason === 'RouteCreated',
  );

interface Mode {
  label: string;
  /** CCM flags besides the route controller's own. */
  flags: Record<string, string>;
  describe: string;
}

const MODES: Mode[] = [
  {
    label: '--route-reconciliation-period=10s',
    flags: { routeReconciliationPeriod: '10s' },
    describe: 'the upstream default: a full pass every 10 s, counted from the start of the last',
  },
  {
    label: 'watch-based',
    flags: {
      routeReconciliationPeriod: '10s',
      featureGates: 'CloudControllerManagerWatchBasedRoutesReconciliation=true',
    },
    describe:
      '`--feature-gates=CloudControllerManagerWatchBasedRoutesReconciliation=true` (alpha and off upstream): a pass on node changes',
  },
];

interface RoutesRun {
  /** Nodes with RouteCreated after the first pass (of `initial`). */
  initialDone: number;
  firstPassMs: number;
  joiningDone: number;
  joinTotalMs: number;
  /** Joining node create sent → RouteCreated, sorted. */
  latencies: number[];
  cloudRoutes: number;
}

/** Hands out pod CIDRs and cluster names that no earlier run used. */
class Allocation {
  private nextCidr = 0;
  private nextCluster = 0;
  cidrs(count: number): string[] {
    const from = this.nextCidr;
    this.nextCidr += count;
    return Array.from({ length: count }, (_, i) => podCidr(from + i));
  }
  clusterName(): string {
    return `bench-routes-${this.nextCluster++}`;
  }
}

/**
 * `initial` Nodes with instances and pod CIDRs, then a CCM running only the route controller:
 * time to every `RouteCreated`; then `joining` Nodes more while it runs. Leaves no Node behind.
 */
async function routesOnce(
  stack: CcmHarness,
  networkId: string,
  mode: Mode,
  allocation: Allocation,
  initial: number,
  joining: number,
): Promise<RoutesRun> {
  const clusterName = allocation.clusterName();
  const names = Array.from({ length: initial + joining }, (_, i) => `${clusterName}-${i}`);
  const cidrs = allocation.cidrs(names.length);
  const cidrOf = new Map(names.map((name, i) => [name, cidrs[i]]));
  const nodeWithInstance = async (name: string) => {
    await stack.createInstance(name);
    await stack.createNode(name, { tainted: false, podCIDRs: [cidrOf.get(name) ?? ''] });
  };
  await inParallel(names.slice(0, initial), 20, nodeWithInstance);

  const doneAt = new Map<string, number>();
  let target = initial;
  let reached = () => undefined as void;
  const observer = new InformerFactory(stack.kubeConfig, { scheduler: BENCH_SCHEDULER });
  const seen = (node: V1Node) => {
    const name = node.metadata?.name ?? '';
    if (cidrOf.has(name) && !doneAt.has(name) && routeCreated(node)) {
      doneAt.set(name, performance.now());
      if (doneAt.size >= target) {
        reached();
      }
    }
  };
  observer.nodes().addEventHandler({ onAdd: seen, onUpdate: (_old, node) => seen(node) });
  await observer.start();
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      target = count;
      reached = resolve;
      if (doneAt.size >= count) {
        resolve();
      }
      setTimeout(resolve, 120_000);
    });

  const startedAt = performance.now();
  const ccm = await stack.startCcm({
    controllers: 'route',
    clusterName,
    clusterCidr: CLUSTER_CIDR,
    ...mode.flags,
  });
  await until(initial);
  const firstPassMs = Math.max(...doneAt.values()) - startedAt;
  const initialDone = doneAt.size;

  const joiners = names.slice(initial);
  const sentAt = new Map<string, number>();
  const joinStart = performance.now();
  await inParallel(joiners, 20, async (name) => {
    sentAt.set(name, performance.now());
    await nodeWithInstance(name);
  });
  await until(initial + joining);
  await observer.stop();
  const joined = joiners.filter((name) => doneAt.has(name));
  const latencies = joined
    .map((name) => (doneAt.get(name) ?? 0) - (sentAt.get(name) ?? 0))
    .sort((a, b) => a - b);

  let cloudRoutes = 0;
  for await (const route of stack.cloud.routes.listAll(networkId)) {
    if (parseRouteDescription(route.description)?.clusterName === clusterName) {
      cloudRoutes++;
    }
  }
  await stack.stopCcm(ccm);
  // The next run's route controller acts on every Node with pod CIDRs, whatever its cluster.
  await inParallel(names, 20, (name) => stack.core.deleteNode({ name }));
  return {
    initialDone,
    firstPassMs,
    joiningDone: joined.length,
    joinTotalMs: Math.max(...joined.map((name) => doneAt.get(name) ?? 0)) - joinStart,
    latencies,
    cloudRoutes,
  };
}

/**
 * 500 Nodes with pod CIDRs and instances, then a route controller started → time until every
 * node has its cloud route and `RouteCreated`; then 100 more nodes join the running controller.
 */
export const routes: CcmBenchScenario = {
  id: 'routes',
  title: `${NODES} node routes`,
  describe: (options) =>
    [
      `${NODES} instances and ${NODES} Nodes (untainted, one /24 pod CIDR each from \`--cluster-cidr=${CLUSTER_CIDR}\`,`,
      'named like their instance, the route’s next hop) exist before a CCM with `--controllers=route` starts; the',
      'bench watches Nodes until every one has `NetworkUnavailable=False` / `RouteCreated` ("first pass": CCM start →',
      `the last one), then counts the cluster's routes in the cloud. Then ${JOINING} more Nodes (each after its instance)`,
      'are created, 20 in flight, while the controller runs: latency = Node create sent → the watch event with',
      '`RouteCreated`. Modes: ' +
        MODES.map((m) => `**${m.label}** — ${m.describe}`).join('; ') +
        '.',
      `Every run has a fresh CCM (leader election off, logs off), its own cluster name and fresh pod CIDRs, and`,
      `deletes its Nodes at the end; a warm-up run of ${WARM_UP} + 10 nodes comes first (not measured), then ${options.runs}`,
      'rounds with the modes’ order rotating; cells are the median (min–max) of the rounds. The cloud network’s',
      '`routesPerNetwork` quota is raised (default 50).',
    ].join('\n'),
  async run(stack: CcmHarness, options: BenchOptions): Promise<BenchRow[]> {
    const networkId = (await stack.cloud.networks.getDefault()).id;
    const allocation = new Allocation();
    await routesOnce(stack, networkId, MODES[1], allocation, WARM_UP, 10);
    const runs = new Map<Mode, RoutesRun[]>(MODES.map((m) => [m, []]));
    for (let round = 0; round < options.runs; round++) {
      for (const mode of rotated(MODES, round)) {
        const run = await routesOnce(stack, networkId, mode, allocation, NODES, JOINING);
        console.log(
          `round ${round + 1}, ${mode.label}: first pass ${seconds(run.firstPassMs)}, joining p99 ${millis(percentile(run.latencies, 99))}`,
        );
        runs.get(mode)?.push(run);
      }
    }
    const rows: BenchRow[] = [];
    for (const mode of MODES) {
      const of = (f: (r: RoutesRun) => number, format: (x: number) => string) =>
        spread((runs.get(mode) ?? []).map(f), format);
      const label = mode.label;
      rows.push([
        `${label}: nodes with RouteCreated / cloud routes of the cluster at the end`,
        `${of((r) => r.initialDone + r.joiningDone, String)} / ${of((r) => r.cloudRoutes, String)} (of ${NODES + JOINING})`,
      ]);
      rows.push([
        `${label}: CCM start → all ${NODES} RouteCreated (first pass)`,
        of((r) => r.firstPassMs, seconds),
      ]);
      rows.push([
        `${label}: ${JOINING} nodes joining: first create → all RouteCreated`,
        of((r) => r.joinTotalMs, seconds),
      ]);
      rows.push([
        `${label}: joining node create → RouteCreated p50 / p99`,
        `${of((r) => percentile(r.latencies, 50), millis)} / ${of((r) => percentile(r.latencies, 99), millis)}`,
      ]);
    }
    return rows;
  },
};

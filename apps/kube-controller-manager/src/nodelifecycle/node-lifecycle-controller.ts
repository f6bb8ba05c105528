import {
  Controller,
  EventType,
  Indexer,
  Periodic,
  errorMessage,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isConflict,
  isNotFound,
  type InformerAdapter,
  type KubeRest,
  type LeaseObject,
  type NodeCondition,
  type NodeObject,
  type PodObject,
} from '@app/kube-client';
import type { KcmSettings } from '../settings';
import { recordNodeEvent, recordNodeStatusChange } from '../util/node-events';
import { nodePath, swapNodeTaints } from '../util/node-writes';
import { podCondition, podPath, updatePodCondition } from '../util/pod-conditions';
import { NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, taintExists } from '../util/taints';
import { evaluateNodeHealth, type NodeHealth } from './node-health';
import { noScheduleTaintDiff } from './no-schedule-taints';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue';
import { computeZoneState, zoneEvictionRate, zoneKeyOf, type ZoneState } from './zone-state';

/** upstream scheduler.NodeEvictionPeriod: how often the NoExecute tainting queues are tried. */
const NODE_EVICTION_PERIOD_MS = 100;
/** upstream nodeUpdateWorkerSize. */
const NODE_UPDATE_WORKERS = 8;
/** Retries of a status write that hit a conflict (upstream NodeHealthUpdateRetry). */
const HEALTH_UPDATE_RETRIES = 5;

export interface NodeLifecycleDeps {
  settings: KcmSettings;
  rest: KubeRest;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  leases: InformerAdapter<LeaseObject>;
  podsByNode: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  logger: Logger;
}

/**
 * upstream pkg/controller/nodelifecycle (1.32, taint-based eviction in its own controller):
 * every `--node-monitor-period` it reads each node's heartbeats (Ready heartbeat, Lease), marks
 * silent nodes' conditions Unknown after the grace period, records RegisteredNode / RemovingNode
 * / NodeNotReady, marks their pods not Ready, queues NoExecute taints per zone (rate-limited,
 * stopped when every zone is fully disrupted) and keeps the condition NoSchedule taints in step
 * with the node (on every node change).
 */
export class NodeLifecycleController {
  private readonly knownNodes = new Map<string, NodeObject>();
  private readonly health = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneTainters = new Map<string, RateLimitedTimedQueue>();
  private readonly nodesToRetry = new Set<string>();
  private readonly noScheduleController: Controller;
  private readonly podController: Controller;
  private readonly periodics: Periodic[];

  constructor(private readonly deps: NodeLifecycleDeps) {
    const { scheduler, logger } = deps;
    this.noScheduleController = new Controller({
      name: 'node-lifecycle-controller',
      queueName: 'node_lifecycle_controller',
      scheduler,
      logger,
      workers: NODE_UPDATE_WORKERS,
      reconcile: (name) => this.doNoScheduleTaintingPass(name),
    });
    this.noScheduleController.watch(deps.nodes, { delete: false });
    this.podController = new Controller({
      name: 'node-lifecycle-controller-pods',
      queueName: 'node_lifecycle_controller_pods',
      scheduler,
      logger,
      workers: 4,
      waitFor: [deps.leases],
      reconcile: (key) => this.processPod(key),
    });
    this.podController.watch(deps.pods, {
      add: (pod) => !!pod.spec?.nodeName,
      update: (old, pod) => !!pod.spec?.nodeName && pod.spec.nodeName !== old.spec?.nodeName,
      delete: false,
    });
    this.periodics = [
      new Periodic(
        {
          name: 'monitor-node-health',
          periodMs: deps.settings.nodeMonitorPeriodMs,
          run: () => this.monitorNodeHealth(),
        },
        deps.clockScheduler,
        logger,
      ),
      new Periodic(
        {
          name: 'no-execute-tainting-pass',
          periodMs: NODE_EVICTION_PERIOD_MS,
          run: () => this.doNoExecuteTaintingPass(),
        },
        deps.clockScheduler,
        logger,
      ),
    ];
  }

  async start(): Promise<void> {
    await this.noScheduleController.start();
    await this.podController.start();
    this.periodics.forEach((p) => p.start());
  }

  async stop(): Promise<void> {
    await Promise.all(this.periodics.map((p) => p.stop()));
    await Promise.all([this.noScheduleController.stop(), this.podController.stop()]);
  }

  private now(): number {
    return this.deps.clockScheduler.now();
  }

  /** upstream monitorNodeHealth. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.deps.nodes.list();
    const { recorder, logger } = this.deps;
    const present = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      if (this.knownNodes.has(name)) {
        if (!this.zoneStates.has(zoneKeyOf(node))) {
          this.addZone(node);
        }
        continue;
      }
      recordNodeEvent(recorder, node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.knownNodes.set(name, node);
      this.addZone(node);
      await this.markNodeAsReachable(node).catch((err: unknown) =>
        logger.warn({ node: name, err: errorMessage(err) }, 'Failed to remove taints from node'),
      );
    }
    for (const [name, node] of [...this.knownNodes]) {
      if (!present.has(name)) {
        recordNodeEvent(recorder, node, 'RemovingNode', `Removing Node ${name} from Controller`);
        this.knownNodes.delete(name);
        this.health.delete(name);
      }
    }

    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    await parallelize(NODE_UPDATE_WORKERS, nodes, async (node) => {
      const result = await this.updateNodeHealth(node);
      if (!result) {
        return;
      }
      const { node: current, observedReady, currentReady } = result;
      if (!(current.metadata?.labels ?? {})['node.kubernetes.io/exclude-disruption']) {
        const zone = zoneKeyOf(current);
        zoneConditions.set(zone, [...(zoneConditions.get(zone) ?? []), currentReady]);
      }
      if (!currentReady) {
        return;
      }
      const name = current.metadata?.name ?? '';
      const pods = this.deps.podsByNode.byIndex(name);
      await this.processTaintBaseEviction(current, observedReady);
      const needsRetry = this.nodesToRetry.has(name);
      const becameNotReady = currentReady.status !== 'True' && observedReady.status === 'True';
      if (becameNotReady) {
        recordNodeStatusChange(recorder, current, 'NodeNotReady');
      }
      if (becameNotReady || (needsRetry && observedReady.status !== 'True')) {
        try {
          await this.markPodsNotReady(pods, name);
        } catch (err) {
          logger.warn(
            { node: name, err: errorMessage(err) },
            'unable to mark all pods NotReady on node; queuing for retry',
          );
          this.nodesToRetry.add(name);
          return;
        }
      }
      this.nodesToRetry.delete(name);
    });
    this.handleDisruption(zoneConditions, nodes);
  }

  /** tryUpdateNodeHealth with its retries: evaluate, write Unknown conditions when due. */
  private async updateNodeHealth(node: NodeObject): Promise<
    | {
        node: NodeObject;
        observedReady: NodeCondition;
        currentReady: NodeCondition | undefined;
      }
    | undefined
  > {
    const name = node.metadata?.name ?? '';
    let current = node;
    for (let attempt = 1; attempt <= HEALTH_UPDATE_RETRIES; attempt++) {
      const lease = this.deps.leases.get(`kube-node-lease/${name}`);
      const evaluation = evaluateNodeHealth(
        current,
        this.health.get(name),
        lease?.spec?.renewTime,
        this.now(),
        this.deps.settings,
      );
      if (!evaluation.conditionsToWrite) {
        this.health.set(name, evaluation.health);
        return { node: current, ...evaluation };
      }
      try {
        const written = await this.deps.rest.replace<NodeObject>(`${nodePath(name)}/status`, {
          ...current,
          status: { ...current.status, conditions: evaluation.conditionsToWrite },
        });
        this.health.set(name, evaluation.health);
        return { node: written, ...evaluation };
      } catch (err) {
        if (isNotFound(err)) {
          return undefined;
        }
        if (!isConflict(err)) {
          this.deps.logger.error(
            { node: name, err: errorMessage(err) },
            'Update health of Node from Controller error, Skipping - no pods will be evicted',
          );
          return undefined;
        }
        try {
          current = await this.deps.rest.get<NodeObject>(nodePath(name));
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }

  /** upstream processTaintBaseEviction. */
  private async processTaintBaseEviction(
    node: NodeObject,
    observedReady: NodeCondition,
  ): Promise<void> {
    const name = node.metadata?.name ?? '';
    const taints = node.spec?.taints;
    switch (observedReady.status) {
      case 'False':
        if (taintExists(taints, UNREACHABLE_NO_EXECUTE)) {
          await swapNodeTaints(
            this.deps.rest,
            name,
            { add: [NOT_READY_NO_EXECUTE], remove: [UNREACHABLE_NO_EXECUTE] },
            this.now(),
          );
        } else {
          this.markNodeForTainting(node, 'False');
        }
        break;
      case 'Unknown':
        if (taintExists(taints, NOT_READY_NO_EXECUTE)) {
          await swapNodeTaints(
            this.deps.rest,
            name,
            { add: [UNREACHABLE_NO_EXECUTE], remove: [NOT_READY_NO_EXECUTE] },
            this.now(),
          );
        } else {
          this.markNodeForTainting(node, 'Unknown');
        }
        break;
      case 'True':
        await this.markNodeAsReachable(node);
        break;
    }
  }

  private markNodeForTainting(node: NodeObject, status: 'False' | 'Unknown'): boolean {
    const tainter = this.zoneTainters.get(zoneKeyOf(node));
    if (!tainter) {
      return false;
    }
    const name = node.metadata?.name ?? '';
    const wanted = status === 'False' ? NOT_READY_NO_EXECUTE : UNREACHABLE_NO_EXECUTE;
    if (!taintExists(node.spec?.taints, wanted)) {
      tainter.remove(name);
    }
    return tainter.add(name, node.metadata?.uid ?? '');
  }

  private async markNodeAsReachable(node: NodeObject): Promise<boolean> {
    const name = node.metadata?.name ?? '';
    if (
      taintExists(node.spec?.taints, UNREACHABLE_NO_EXECUTE) ||
      taintExists(node.spec?.taints, NOT_READY_NO_EXECUTE)
    ) {
      await swapNodeTaints(
        this.deps.rest,
        name,
        { remove: [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE] },
        this.now(),
      );
    }
    return this.zoneTainters.get(zoneKeyOf(node))?.remove(name) ?? false;
  }

  /** upstream doNoExecuteTaintingPass: one rate-limited pass over every zone's queue. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const tainter of this.zoneTainters.values()) {
      await tainter.try(async (value) => {
        const node = this.deps.nodes.get(value.value);
        if (!node) {
          return [true, 0];
        }
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        if (!ready) {
          return [false, 50];
        }
        // not-ready and unreachable mirror Ready=False/Unknown and never coexist.
        let add = NOT_READY_NO_EXECUTE;
        let opposite = UNREACHABLE_NO_EXECUTE;
        if (ready.status === 'Unknown') {
          add = UNREACHABLE_NO_EXECUTE;
          opposite = NOT_READY_NO_EXECUTE;
        } else if (ready.status !== 'False') {
          return [true, 0];
        }
        try {
          await swapNodeTaints(
            this.deps.rest,
            value.value,
            { add: [add], remove: [opposite] },
            this.now(),
          );
          return [true, 0];
        } catch (err) {
          this.deps.logger.warn(
            { node: value.value, err: errorMessage(err) },
            'unable to taint unresponsive Node',
          );
          return [false, 0];
        }
      });
    }
  }

  private addZone(node: NodeObject): void {
    const zone = zoneKeyOf(node);
    if (!this.zoneStates.has(zone)) {
      this.zoneStates.set(zone, 'Initial');
      this.zoneTainters.set(
        zone,
        new RateLimitedTimedQueue(this.deps.settings.nodeEvictionRate, this.deps.clockScheduler),
      );
    }
  }

  /** upstream handleDisruption: zone states, eviction rates and "master disruption mode". */
  private handleDisruption(
    zoneConditions: Map<string, (NodeCondition | undefined)[]>,
    nodes: readonly NodeObject[],
  ): void {
    const { settings, logger } = this.deps;
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conditions] of zoneConditions) {
      const { state } = computeZoneState(conditions, settings.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') {
        allAreFullyDisrupted = false;
      }
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) {
        this.zoneStates.set(zone, 'Initial');
      }
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) {
      return;
    }
    if (allAreFullyDisrupted) {
      logger.info(
        {},
        'Controller detected that all Nodes are not-Ready. Entering master disruption mode',
      );
      for (const node of nodes) {
        void this.markNodeAsReachable(node).catch(() => undefined);
      }
      for (const zone of this.zoneStates.keys()) {
        this.zoneTainters.get(zone)?.swapLimiter(0);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWasFullyDisrupted) {
      logger.info(
        {},
        'Controller detected that some Nodes are Ready. Exiting master disruption mode',
      );
      const now = this.now();
      for (const node of nodes) {
        const name = node.metadata?.name ?? '';
        const h = this.health.get(name);
        if (h) {
          this.health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
        }
      }
      for (const zone of this.zoneStates.keys()) {
        const state = newStates.get(zone) ?? 'Normal';
        this.zoneTainters
          .get(zone)
          ?.swapLimiter(zoneEvictionRate(state, zoneConditions.get(zone)?.length ?? 0, settings));
        this.zoneStates.set(zone, state);
      }
      return;
    }
    for (const [zone, state] of [...this.zoneStates]) {
      const next = newStates.get(zone) ?? state;
      if (next === state) {
        continue;
      }
      logger.info({ zone, newState: next }, 'Controller detected that zone is now in new state');
      this.zoneTainters
        .get(zone)
        ?.swapLimiter(zoneEvictionRate(next, zoneConditions.get(zone)?.length ?? 0, settings));
      this.zoneStates.set(zone, next);
    }
  }

  /** upstream doNoScheduleTaintingPass (+ reconcileNodeLabels for the beta os/arch labels). */
  private async doNoScheduleTaintingPass(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node) {
      return;
    }
    const { add, remove } = noScheduleTaintDiff(node);
    if (add.length > 0 || remove.length > 0) {
      await swapNodeTaints(this.deps.rest, name, { add, remove }, this.now());
    }
    await this.reconcileNodeLabels(node);
  }

  /** The beta os/arch labels follow the GA ones (upstream labelReconcileInfo). */
  private async reconcileNodeLabels(node: NodeObject): Promise<void> {
    const labels = node.metadata?.labels;
    if (!labels) {
      return;
    }
    const update: Record<string, string> = {};
    for (const [primary, secondary] of [
      ['kubernetes.io/os', 'beta.kubernetes.io/os'],
      ['kubernetes.io/arch', 'beta.kubernetes.io/arch'],
    ]) {
      if (primary in labels && labels[secondary] !== labels[primary]) {
        update[secondary] = labels[primary];
      }
    }
    if (Object.keys(update).length > 0) {
      await this.deps.rest.patch(
        nodePath(node.metadata?.name ?? ''),
        { metadata: { labels: update } },
        'strategic',
      );
    }
  }

  /** upstream processPod: a pod newly bound to a not-Ready node is marked not Ready too. */
  private async processPod(key: string): Promise<void> {
    const pod = this.deps.pods.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) {
      return;
    }
    const ready = this.health.get(nodeName)?.ready;
    if (!ready || !this.deps.nodes.get(nodeName)) {
      return;
    }
    if (ready.status !== 'True') {
      await this.markPodsNotReady([pod], nodeName);
    }
  }

  /**
   * upstream MarkPodsNotReady: each pod's Ready condition goes False (UpdateStatus), then a
   * Warning `NodeNotReady` "Node is not ready" event on the pod.
   */
  private async markPodsNotReady(pods: readonly PodObject[], nodeName: string): Promise<void> {
    const errors: unknown[] = [];
    for (const cached of pods) {
      if (cached.spec?.nodeName !== nodeName) {
        continue;
      }
      const ready = podCondition(cached, 'Ready');
      if (!ready) {
        continue;
      }
      const pod = structuredClone(cached);
      pod.status ??= {};
      if (!updatePodCondition(pod.status, { ...ready, status: 'False' }, this.now())) {
        continue;
      }
      try {
        await this.deps.rest.replace(
          `${podPath(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '')}/status`,
          pod,
        );
      } catch (err) {
        if (isNotFound(err)) {
          continue;
        }
        errors.push(err);
        continue;
      }
      this.deps.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
        },
        EventType.Warning,
        'NodeNotReady',
        'Node is not ready',
      );
    }
    if (errors.length > 0) {
      throw new Error(errors.map(errorMessage).join('; '));
    }
  }
}

/** workqueue.ParallelizeUntil: `fn` over every item, at most `workers` at a time. */
async function parallelize<T>(
  workers: number,
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, run));
}

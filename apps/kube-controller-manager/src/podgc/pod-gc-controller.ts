import {
  Periodic,
  errorMessage,
  waitForCacheSync,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type KubeRest,
  type NodeObject,
  type PodCondition,
  type PodObject,
} from '@app/kube-client';
import { nodePath } from '../util/node-writes';
import { podPath, updatePodCondition } from '../util/pod-conditions';

/** upstream gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;
/** upstream quarantineTime: how long a node must stay missing before its pods are collected. */
export const QUARANTINE_MS = 40_000;

export interface PodGcDeps {
  rest: KubeRest;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  terminatedPodThreshold: number;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  logger: Logger;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);
const isTerminated = (pod: PodObject) =>
  !['Pending', 'Running', 'Unknown'].includes(pod.status?.phase ?? 'Pending');

/**
 * upstream pkg/controller/podgc (`pod-garbage-collector-controller`), every 20 s of the clock:
 * deletes the oldest terminated pods beyond `--terminated-pod-gc-threshold`, force-deletes pods
 * bound to a node that has been gone for the 40 s quarantine (checked with a GET) after marking
 * them `Failed` + `DisruptionTarget DeletionByPodGC "PodGC: node no longer exists"`, and
 * force-deletes terminating pods that were never scheduled. It records no events (as upstream).
 */
export class PodGcController {
  /** Missing node name → when the quarantine started. */
  private readonly quarantine = new Map<string, number>();
  private readonly loop: Periodic;
  private readonly stopSignal = new AbortController();

  constructor(private readonly deps: PodGcDeps) {
    this.loop = new Periodic(
      { name: 'pod-gc', periodMs: GC_CHECK_PERIOD_MS, run: () => this.gc() },
      deps.clockScheduler,
      deps.logger,
    );
  }

  async start(): Promise<void> {
    const synced = await waitForCacheSync(
      'pod-garbage-collector-controller',
      [this.deps.pods, this.deps.nodes],
      this.deps.scheduler,
      this.deps.logger,
      this.stopSignal.signal,
    );
    if (synced) {
      this.loop.start();
    }
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    await this.loop.stop();
  }

  /** One pass (upstream gc). */
  async gc(): Promise<void> {
    const pods = this.deps.pods.list();
    const nodes = this.deps.nodes.list();
    if (this.deps.terminatedPodThreshold > 0) {
      await this.gcTerminated(pods);
    }
    await this.gcOrphaned(pods, nodes);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: readonly PodObject[]): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.deps.terminatedPodThreshold;
    if (excess <= 0) {
      return;
    }
    this.deps.logger.info({ numPods: excess }, 'Garbage collecting pods');
    terminated.sort(byEvictionAndCreationTimestamp);
    await Promise.all(terminated.slice(0, excess).map((pod) => this.markFailedAndDelete(pod)));
  }

  private async gcOrphaned(
    pods: readonly PodObject[],
    nodes: readonly NodeObject[],
  ): Promise<void> {
    const existing = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    const now = this.deps.clockScheduler.now();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (node && !existing.has(node) && !this.quarantine.has(node)) {
        this.quarantine.set(node, now);
      }
    }
    const deleted = new Set<string>();
    for (const [node, since] of [...this.quarantine]) {
      if (now < since + QUARANTINE_MS) {
        continue;
      }
      this.quarantine.delete(node);
      if (existing.has(node)) {
        continue;
      }
      try {
        await this.deps.rest.get(nodePath(node));
      } catch (err) {
        if (isNotFound(err)) {
          deleted.add(node);
        } else {
          this.deps.logger.error({ node, err: errorMessage(err) }, 'Error while getting node');
        }
      }
    }
    for (const pod of pods) {
      if (!deleted.has(pod.spec?.nodeName ?? '')) {
        continue;
      }
      const ok = await this.markFailedAndDelete(pod, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      });
      if (ok) {
        this.deps.logger.info(
          { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` },
          'Forced deletion of orphaned Pod succeeded',
        );
      }
    }
  }

  private async gcUnscheduledTerminating(pods: readonly PodObject[]): Promise<void> {
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp && !pod.spec?.nodeName) {
        await this.markFailedAndDelete(pod);
      }
    }
  }

  /** upstream markFailedAndDeletePodWithCondition: phase Failed (+ condition), then grace 0. */
  private async markFailedAndDelete(pod: PodObject, condition?: PodCondition): Promise<boolean> {
    const path = podPath(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
    this.deps.logger.info(
      { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` },
      'PodGC is force deleting Pod',
    );
    try {
      if (!TERMINAL.has(pod.status?.phase ?? '')) {
        const status = structuredClone(pod.status ?? {});
        const patch: Record<string, unknown> = { phase: 'Failed' };
        if (condition && updatePodCondition(status, condition, this.deps.clockScheduler.now())) {
          patch.conditions = [status.conditions?.find((c) => c.type === condition.type)];
        }
        await this.deps.rest.patch(
          `${path}/status`,
          { metadata: { uid: pod.metadata?.uid }, status: patch },
          'strategic',
        );
      }
      await this.deps.rest.delete(path, { gracePeriodSeconds: 0 });
      return true;
    } catch (err) {
      if (!isNotFound(err)) {
        this.deps.logger.error(
          { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: errorMessage(err) },
          'PodGC failed to delete pod',
        );
      }
      return false;
    }
  }
}

const isEvicted = (pod: PodObject) =>
  pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';

/** upstream byEvictionAndCreationTimestamp: evicted first, then oldest, then by name. */
function byEvictionAndCreationTimestamp(a: PodObject, b: PodObject): number {
  if (isEvicted(a) !== isEvicted(b)) {
    return isEvicted(a) ? -1 : 1;
  }
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '');
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '');
  if (ta !== tb) {
    return ta - tb;
  }
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

import {
  Controller,
  EventType,
  errorMessage,
  isDeletedFinalStateUnknown,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type KubeRest,
  type NodeObject,
  type PodObject,
  type Taint,
  type Toleration,
} from '@app/kube-client';
import { podPath, updatePodCondition } from '../util/pod-conditions';
import { matchingTolerations } from '../util/taints';
import { TimedWorkerQueue } from './timed-worker-queue';

/** Deletion attempts per eviction (upstream `retries`). */
const DELETE_RETRIES = 5;

export interface TaintEvictionDeps {
  rest: KubeRest;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  podsByNode: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  logger: Logger;
}

const noExecuteTaints = (node: NodeObject | undefined): Taint[] =>
  (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

/**
 * upstream pkg/controller/tainteviction (`taint-eviction-controller`): pods on a node with
 * NoExecute taints they do not tolerate are deleted at once; tolerated with `tolerationSeconds`,
 * they are deleted that long after the controller saw it (the shortest toleration wins); a
 * taint going away first cancels the deletion. Events `TaintManagerEviction` "Marking for
 * deletion Pod ns/name" (when deleting) and "Cancelling deletion of Pod ns/name"; before the
 * delete the pod gets `DisruptionTarget=True DeletionByTaintManager`.
 */
export class TaintEvictionController {
  private readonly taintedNodes = new Map<string, Taint[]>();
  private readonly evictions: TimedWorkerQueue;
  private readonly nodeController: Controller;
  private readonly podController: Controller;
  /** The node a queued pod key belonged to when its change was seen. */
  private readonly podNodes = new Map<string, string>();

  constructor(private readonly deps: TaintEvictionDeps) {
    this.evictions = new TimedWorkerQueue(deps.clockScheduler, (key, fireAt) =>
      this.deletePod(key, fireAt),
    );
    this.nodeController = new Controller({
      name: 'taint-eviction-controller',
      queueName: 'noexec_taint_node',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (name) => this.handleNodeUpdate(name),
    });
    this.nodeController.watch(deps.nodes, {
      update: (old, node) => !sameTaints(noExecuteTaints(old), noExecuteTaints(node)),
    });
    this.podController = new Controller({
      name: 'taint-eviction-controller-pods',
      queueName: 'noexec_taint_pod',
      scheduler: deps.scheduler,
      logger: deps.logger,
      waitFor: [deps.pods, deps.nodes],
      reconcile: (key) => this.handlePodUpdate(key),
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.podUpdated(undefined, pod),
      onUpdate: (old, pod) => this.podUpdated(old, pod),
      onDelete: (pod) => this.podUpdated(podOf(pod), undefined),
    });
  }

  async start(): Promise<void> {
    await this.nodeController.start();
    await this.podController.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.nodeController.stop(), this.podController.stop()]);
    this.evictions.clear();
  }

  private podUpdated(old: PodObject | undefined, pod: PodObject | undefined): void {
    const subject = pod ?? old;
    if (!subject?.metadata?.name) {
      return;
    }
    if (
      old &&
      pod &&
      old.spec?.nodeName === pod.spec?.nodeName &&
      JSON.stringify(old.spec?.tolerations ?? []) === JSON.stringify(pod.spec?.tolerations ?? [])
    ) {
      return;
    }
    const key = `${subject.metadata.namespace ?? ''}/${subject.metadata.name}`;
    this.podNodes.set(key, subject.spec?.nodeName ?? '');
    this.podController.enqueueKey(key);
  }

  /** upstream handlePodUpdate. */
  private handlePodUpdate(key: string): Promise<void> {
    const pod = this.deps.pods.get(key);
    const nodeName = this.podNodes.get(key);
    this.podNodes.delete(key);
    if (!pod) {
      this.cancelWorkWithEvent(key);
      return Promise.resolve();
    }
    if (!pod.spec?.nodeName || pod.spec.nodeName !== nodeName) {
      return Promise.resolve();
    }
    const taints = this.taintedNodes.get(pod.spec.nodeName);
    if (taints) {
      this.processPodOnNode(key, taints, pod.spec.tolerations, this.now());
    }
    return Promise.resolve();
  }

  /** upstream handleNodeUpdate. */
  private handleNodeUpdate(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node) {
      this.taintedNodes.delete(name);
      return Promise.resolve();
    }
    const taints = noExecuteTaints(node);
    if (taints.length === 0) {
      this.taintedNodes.delete(name);
    } else {
      this.taintedNodes.set(name, taints);
    }
    const pods = this.deps.podsByNode.byIndex(name);
    const now = this.now();
    for (const pod of pods) {
      const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
      if (taints.length === 0) {
        this.cancelWorkWithEvent(key);
      } else {
        this.processPodOnNode(key, taints, pod.spec?.tolerations, now);
      }
    }
    return Promise.resolve();
  }

  /** upstream processPodOnNode. */
  private processPodOnNode(
    key: string,
    taints: readonly Taint[],
    tolerations: readonly Toleration[] | undefined,
    now: number,
  ): void {
    if (taints.length === 0) {
      this.cancelWorkWithEvent(key);
    }
    const { allTolerated, used } = matchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.cancelWorkWithEvent(key);
      this.evictions.addWork(key, now, now);
      return;
    }
    const minToleration = minTolerationMs(used);
    if (minToleration < 0) {
      this.cancelWorkWithEvent(key);
      return;
    }
    let start = now;
    const scheduled = this.evictions.getWorker(key);
    if (scheduled) {
      start = scheduled.createdAt;
      if (start + minToleration < now + minToleration) {
        return;
      }
      this.cancelWorkWithEvent(key);
    }
    this.evictions.addWork(key, start, start + minToleration);
  }

  private cancelWorkWithEvent(key: string): void {
    if (this.evictions.cancelWork(key)) {
      this.event(key, `Cancelling deletion of Pod ${key}`);
    }
  }

  /** upstream deletePodHandler + addConditionAndDeletePod. */
  private async deletePod(key: string, fireAt: number): Promise<void> {
    const [namespace, name] = key.split('/');
    this.deps.logger.info(
      { controller: 'taint-eviction-controller', pod: key, fireAt: new Date(fireAt).toISOString() },
      'Deleting pod',
    );
    this.event(key, `Marking for deletion Pod ${key}`);
    let lastError: unknown;
    for (let attempt = 0; attempt < DELETE_RETRIES; attempt++) {
      try {
        await this.addConditionAndDeletePod(namespace, name);
        return;
      } catch (err) {
        lastError = err;
        if (isNotFound(err)) {
          return;
        }
      }
    }
    this.deps.logger.error({ pod: key, err: errorMessage(lastError) }, 'Failed to delete pod');
    throw lastError;
  }

  private async addConditionAndDeletePod(namespace: string, name: string): Promise<void> {
    const path = podPath(namespace, name);
    const pod = await this.deps.rest.get<PodObject>(path);
    const status = structuredClone(pod.status ?? {});
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    };
    if (updatePodCondition(status, condition, this.now())) {
      const written = status.conditions?.find((c) => c.type === 'DisruptionTarget');
      await this.deps.rest.patch(
        `${path}/status`,
        { metadata: { uid: pod.metadata?.uid }, status: { conditions: [written] } },
        'strategic',
      );
    }
    await this.deps.rest.delete(path, {});
  }

  private event(key: string, message: string): void {
    const [namespace, name] = key.split('/');
    this.deps.recorder.event(
      { apiVersion: 'v1', kind: 'Pod', namespace, name },
      EventType.Normal,
      'TaintManagerEviction',
      message,
    );
  }

  private now(): number {
    return this.deps.clockScheduler.now();
  }
}

/** upstream getMinTolerationTime: 0 when none, -1 when every used toleration is forever. */
export function minTolerationMs(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) {
    return 0;
  }
  let min = Infinity;
  for (const t of tolerations) {
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) {
      if (t.tolerationSeconds <= 0) {
        return 0;
      }
      min = Math.min(min, t.tolerationSeconds);
    }
  }
  return min === Infinity ? -1 : min * 1000;
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function podOf(pod: PodObject | DeletedFinalStateUnknown<PodObject>): PodObject {
  return isDeletedFinalStateUnknown(pod) ? pod.obj : pod;
}

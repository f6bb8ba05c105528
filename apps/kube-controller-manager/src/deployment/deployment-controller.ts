import {
  Controller,
  isDeletedFinalStateUnknown,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type ReconcileResult,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isNotFound,
  type DeploymentObject,
  type InformerAdapter,
  type KubeRest,
  type PodObject,
  type ReplicaSetObject,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { selectorMatches } from '../util/label-selector';
import {
  adoptPatch,
  claimDecision,
  controllerRefOf,
  newControllerRef,
  releasePatch,
} from '../util/owner-refs';
import { DEPLOYMENT_KIND, DeploymentSync } from './deployment-sync';

export interface DeploymentControllerDeps {
  rest: KubeRest;
  deployments: InformerAdapter<DeploymentObject>;
  replicaSets: InformerAdapter<ReplicaSetObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  /** Timers on the cluster clock (deadlines, minReadySeconds). */
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
  workers?: number;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * upstream pkg/controller/deployment (`deployment-controller`): rolls Deployments out through
 * ReplicaSets named `<deployment>-<pod-template-hash>`, RollingUpdate or Recreate, with
 * revisions, rollbacks (a template equal to an old ReplicaSet's revives it), pause, progress
 * deadline, proportional scaling and history cleanup.
 */
export class DeploymentController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

  constructor(private readonly deps: DeploymentControllerDeps) {
    this.controller = new Controller({
      name: 'deployment-controller',
      queueName: 'deployment',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: deps.workers ?? 5,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.replicaSets, deps.pods],
      // Upstream's handleErr: conflicts are routine (V(2)); dropped after 15 retries.
      retryPolicy: {
        level: 'debug',
        message: 'Error syncing deployment',
        maxRetries: 15,
        droppedMessage: 'Dropping deployment out of the queue',
      },
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.deployments, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
    });
    deps.replicaSets.addEventHandler({
      onAdd: (rs) => this.replicaSetChanged(rs),
      onUpdate: (oldRS, rs) => {
        if (oldRS.metadata?.resourceVersion === rs.metadata?.resourceVersion) {
          return;
        }
        const oldRef = controllerRefOf(oldRS);
        if (oldRef && oldRef.uid !== controllerRefOf(rs)?.uid) {
          this.replicaSetChanged(oldRS);
        }
        this.replicaSetChanged(rs);
      },
      onDelete: (obj) => this.replicaSetChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
    });
    deps.pods.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  /** The Deployment a ReplicaSet belongs to, or for an orphan every Deployment selecting it. */
  private replicaSetChanged(rs: ReplicaSetObject): void {
    const ref = controllerRefOf(rs);
    if (ref) {
      if (ref.kind !== DEPLOYMENT_KIND.kind) {
        return;
      }
      const d = this.deps.deployments.get(`${rs.metadata?.namespace}/${ref.name}`);
      if (d?.metadata?.uid === ref.uid) {
        this.controller.enqueueKey(keyOf(d));
      }
      return;
    }
    for (const d of this.deps.deployments.list()) {
      if (
        d.metadata?.namespace === rs.metadata?.namespace &&
        selectorMatches(d.spec?.selector, rs.metadata?.labels)
      ) {
        this.controller.enqueueKey(keyOf(d));
      }
    }
  }

  /** A Recreate rollout waits for the old pods to be gone (upstream deletePod). */
  private podDeleted(obj: PodObject | DeletedFinalStateUnknown<PodObject>): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'ReplicaSet') {
      return;
    }
    const rs = this.deps.replicaSets.get(`${pod.metadata?.namespace}/${ref.name}`);
    const dRef = rs && controllerRefOf(rs);
    if (!rs || dRef?.kind !== DEPLOYMENT_KIND.kind) {
      return;
    }
    const d = this.deps.deployments.get(`${rs.metadata?.namespace}/${dRef.name}`);
    if (d && d.spec?.strategy?.type === 'Recreate') {
      this.controller.enqueueKey(keyOf(d));
    }
  }

  private async sync(key: string): Promise<ReconcileResult | void> {
    const d = this.deps.deployments.get(key);
    if (!d) {
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    try {
      const outcome = await new DeploymentSync(
        { rest: this.deps.rest, recorder: this.deps.recorder, now: this.deps.now },
        d,
        rsList,
        () => this.podsByReplicaSet(d, rsList),
      ).run(d);
      if (outcome.requeueAfterMs === 0) {
        return { requeue: true };
      }
      if (outcome.requeueAfterMs) {
        this.requeue.after(key, outcome.requeueAfterMs);
      }
      return undefined;
    } catch (err) {
      if (isNotFound(err)) {
        return;
      }
      throw err;
    }
  }

  /**
   * upstream getPodMapForDeployment: the namespace's pods grouped by owning ReplicaSet uid. Only a
   * Recreate rollout reads it, so it is built on demand (a walk of every pod of the namespace).
   */
  private podsByReplicaSet(
    d: DeploymentObject,
    rsList: readonly ReplicaSetObject[],
  ): Map<string, PodObject[]> {
    const podsByRS = new Map<string, PodObject[]>(rsList.map((rs) => [rs.metadata?.uid ?? '', []]));
    for (const pod of this.deps.podsByNamespace.byIndex(d.metadata?.namespace ?? '')) {
      const uid = controllerRefOf(pod)?.uid;
      if (uid) {
        podsByRS.get(uid)?.push(pod);
      }
    }
    return podsByRS;
  }

  /** upstream getReplicaSetsForDeployment: owned ReplicaSets, adopting orphans that match. */
  private async claimReplicaSets(d: DeploymentObject): Promise<ReplicaSetObject[]> {
    const owned: ReplicaSetObject[] = [];
    const ref = newControllerRef(d, DEPLOYMENT_KIND);
    for (const rs of this.deps.replicaSets.list()) {
      if (rs.metadata?.namespace !== d.metadata?.namespace) {
        continue;
      }
      const decision = claimDecision(rs, d, selectorMatches(d.spec?.selector, rs.metadata?.labels));
      const path = `/apis/apps/v1/namespaces/${rs.metadata?.namespace}/replicasets/${rs.metadata?.name}`;
      if (decision === 'owned') {
        owned.push(rs);
      } else if (decision === 'adopt') {
        try {
          owned.push(
            await this.deps.rest.patch<ReplicaSetObject>(path, adoptPatch(rs, ref), 'strategic'),
          );
        } catch (err) {
          if (!isNotFound(err)) {
            throw err;
          }
        }
      } else if (decision === 'release') {
        await this.deps.rest
          .patch(path, releasePatch(rs, d.metadata?.uid ?? ''), 'strategic')
          .catch((err: unknown) => {
            if (!isNotFound(err)) {
              throw err;
            }
          });
      }
    }
    return owned;
  }
}

import {
  Controller,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { isNotFound, type InformerAdapter, type KubeRest, type PodObject } from '@app/kube-client';
import { UidTrackingExpectations } from '../util/controller-expectations';
import { podsInDeletionOrder } from '../util/deletion-order';
import { podsOwnedByOrOrphaned } from '../util/pods-by-owner';
import { ClockRequeue } from '../util/clock-requeue';
import { selectorMatcher, selectorMatches } from '../util/label-selector';
import {
  adoptPatch,
  claimDecision,
  controllerRefOf,
  newControllerRef,
  releasePatch,
} from '../util/owner-refs';
import { PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../util/pod-control';
import { isPodActive, isPodReady, nextAvailableInMs, podKey } from '../util/pod-state';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import type { ReplicaSetKind, ReplicaSetLike } from './replica-set-kind';
import { calculateReplicaSetStatus } from './replica-set-status';

/** upstream BurstReplicas: at most this many creations/deletions per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetControllerDeps {
  kind: ReplicaSetKind;
  rest: KubeRest;
  replicaSets: InformerAdapter<ReplicaSetLike>;
  pods: InformerAdapter<PodObject>;
  /** Pods by controller uid, orphans by namespace (`podControllerUidIndex`). */
  podsByControllerUid: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  /** Timers on the cluster clock (deadlines, minReadySeconds). */
  clockScheduler: Scheduler;
  /** The cluster clock (readiness times, minReadySeconds). */
  now: () => number;
  logger: Logger;
  workers?: number;
}

/**
 * upstream pkg/controller/replicaset (and pkg/controller/replication, the same code for
 * ReplicationControllers): keeps `spec.replicas` active pods matching the selector, creating
 * them from the template in slow-start batches and deleting the best victims first, adopting
 * matching orphans and releasing pods that stopped matching; writes the status counts.
 */
export class ReplicaSetController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;
  private readonly expectations: UidTrackingExpectations;
  private readonly podControl: PodControl;

  constructor(private readonly deps: ReplicaSetControllerDeps) {
    this.expectations = new UidTrackingExpectations(deps.now);
    this.podControl = new PodControl(deps.rest, deps.recorder);
    this.controller = new Controller({
      name: deps.kind.controllerName,
      queueName: deps.kind.owner.kind.toLowerCase(),
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: deps.workers ?? 5,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.pods],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.replicaSets, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        const rs = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        this.expectations.delete(`${rs.metadata?.namespace}/${rs.metadata?.name}`);
        return true;
      },
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (oldPod, newPod) => this.podUpdated(oldPod, newPod),
      onDelete: (pod) => this.podDeleted(pod),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  // --- pod events (upstream addPod / updatePod / deletePod) ---------------------------------

  /** The ReplicaSet a controller reference points at, if it is one of ours and still exists. */
  private ownerOf(pod: PodObject): ReplicaSetLike | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.deps.kind.owner.kind) {
      return undefined;
    }
    const rs = this.deps.replicaSets.get(`${pod.metadata?.namespace}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  private keyOf(rs: ReplicaSetLike): string {
    return `${rs.metadata?.namespace}/${rs.metadata?.name}`;
  }

  private podAdded(pod: PodObject): void {
    if (pod.metadata?.deletionTimestamp) {
      this.podDeleted(pod);
      return;
    }
    if (controllerRefOf(pod)) {
      const rs = this.ownerOf(pod);
      if (rs) {
        this.expectations.creationObserved(this.keyOf(rs));
        this.controller.enqueueKey(this.keyOf(rs));
      }
      return;
    }
    this.enqueueOrphanMatches(pod);
  }

  private podUpdated(oldPod: PodObject, pod: PodObject): void {
    if (oldPod.metadata?.resourceVersion === pod.metadata?.resourceVersion) {
      return;
    }
    if (pod.metadata?.deletionTimestamp && !oldPod.metadata?.deletionTimestamp) {
      // Terminating pods are not active: count the deletion now, replace at once (upstream).
      this.podDeleted(pod);
    }
    const oldRef = controllerRefOf(oldPod);
    const newRef = controllerRefOf(pod);
    if (oldRef && oldRef.uid !== newRef?.uid) {
      const old = this.ownerOf(oldPod);
      if (old) {
        this.controller.enqueueKey(this.keyOf(old));
      }
    }
    if (newRef) {
      const rs = this.ownerOf(pod);
      if (!rs) {
        return;
      }
      this.controller.enqueueKey(this.keyOf(rs));
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(oldPod) && isPodReady(pod)) {
        this.requeue.after(this.keyOf(rs), minReady * 1000 + 1);
      }
      return;
    }
    this.enqueueOrphanMatches(pod);
  }

  private podDeleted(obj: PodObject | DeletedFinalStateUnknown<PodObject>): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    const rs = this.ownerOf(pod);
    if (!rs) {
      return;
    }
    this.expectations.podDeletionObserved(this.keyOf(rs), podKey(pod));
    this.controller.enqueueKey(this.keyOf(rs));
  }

  private enqueueOrphanMatches(pod: PodObject): void {
    for (const rs of this.deps.replicaSets.list()) {
      if (
        rs.metadata?.namespace === pod.metadata?.namespace &&
        selectorMatches(this.deps.kind.selectorOf(rs), pod.metadata?.labels)
      ) {
        this.controller.enqueueKey(this.keyOf(rs));
      }
    }
  }

  // --- sync (upstream syncReplicaSet) -------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const rs = this.deps.replicaSets.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const pods = await this.claimPods(rs);
    let manageError: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err instanceof Error ? err : new Error(String(err));
      }
    }
    const now = this.deps.now();
    const status = calculateReplicaSetStatus(rs, pods, manageError, now);
    if (!jsonEqual(status, rs.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await writeStatusUnlessGone(
        this.deps.rest,
        this.deps.kind.objectPath(namespace, name),
        rs,
        status,
      );
    }
    if (manageError !== undefined) {
      throw manageError;
    }
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const wait = nextAvailableInMs(pods, minReady, now);
    if (wait !== undefined) {
      this.requeue.after(key, wait);
    }
  }

  /** upstream claimPods: active pods of the namespace this ReplicaSet controls (adopting/releasing). */
  private async claimPods(rs: ReplicaSetLike): Promise<PodObject[]> {
    const matches = selectorMatcher(this.deps.kind.selectorOf(rs));
    const ref = newControllerRef(rs, this.deps.kind.owner);
    const owned: PodObject[] = [];
    // Another controller's pods are never claimed, whatever their labels (ClaimObject).
    for (const pod of podsOwnedByOrOrphaned(this.deps.podsByControllerUid, rs)) {
      if (!isPodActive(pod)) {
        continue;
      }
      const decision = claimDecision(pod, rs, matches(pod.metadata?.labels));
      if (decision === 'owned') {
        owned.push(pod);
      } else if (decision === 'adopt') {
        if (await this.patchPod(pod, adoptPatch(pod, ref))) {
          owned.push(pod);
        }
      } else if (decision === 'release') {
        await this.patchPod(pod, releasePatch(pod, rs.metadata?.uid ?? ''));
      }
    }
    return owned;
  }

  private async patchPod(pod: PodObject, patch: object): Promise<boolean> {
    try {
      await this.deps.rest.patch(
        `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`,
        patch,
        'strategic',
      );
      return true;
    } catch (err) {
      // Gone or changed meanwhile (uid precondition): the next sync sees the truth.
      if (isNotFound(err) || (err as { code?: number }).code === 409) {
        return false;
      }
      throw err;
    }
  }

  /** upstream manageReplicas. */
  private async manageReplicas(
    key: string,
    rs: ReplicaSetLike,
    pods: readonly PodObject[],
  ): Promise<void> {
    const desired = rs.spec?.replicas ?? 1;
    const diff = pods.length - desired;
    const namespace = rs.metadata?.namespace ?? '';
    const owner = { ...rs, ...this.deps.kind.owner };
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      const template = this.deps.kind.templateOf(rs) ?? {};
      const ref = newControllerRef(rs, this.deps.kind.owner);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, () =>
        this.podControl.createPod(namespace, template, owner, ref),
      );
      if (error !== undefined) {
        // The pods never created will never be observed.
        this.expectations.lower(key, count - successes, 0);
        throw error;
      }
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const victims = podsInDeletionOrder(pods, pods, this.deps.now()).slice(0, count);
      this.expectations.expectPodDeletions(key, victims.map(podKey));
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          try {
            const deleted = await this.podControl.deletePod(
              namespace,
              pod.metadata?.name ?? '',
              owner,
            );
            if (!deleted) {
              this.expectations.podDeletionObserved(key, podKey(pod));
            }
          } catch (err) {
            this.expectations.podDeletionObserved(key, podKey(pod));
            throw err;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        const reason: unknown = failed.reason;
        throw reason instanceof Error ? reason : new Error(String(reason));
      }
    }
  }
}

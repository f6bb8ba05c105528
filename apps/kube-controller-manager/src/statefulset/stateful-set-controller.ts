import {
  Controller,
  EventType,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  apiErrorMessage,
  isConflict,
  isNotFound,
  type ControllerRevisionObject,
  type InformerAdapter,
  type KubeRest,
  type PersistentVolumeClaimObject,
  type PodObject,
  type StatefulSetObject,
} from '@app/kube-client';
import { currentRevision } from '../daemonset/controller-history';
import { ClockRequeue } from '../util/clock-requeue';
import { controllerRefOf, newControllerRef } from '../util/owner-refs';
import { podFromTemplate } from '../util/pod-control';
import { isPodAvailable, isPodReady, nextAvailableInMs } from '../util/pod-state';
import { scaledValue } from '../deployment/deployment-util';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { ordinalRange, retentionOwnerRefs } from './claim-retention';
import { claimsOf, ordinalOf, podNameOf, statefulPodSpec } from './stateful-pod';

const STS_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;

export interface StatefulSetControllerDeps {
  rest: KubeRest;
  statefulSets: InformerAdapter<StatefulSetObject>;
  revisions: InformerAdapter<ControllerRevisionObject>;
  pods: InformerAdapter<PodObject>;
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  podsByNamespace: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace}/${o.metadata?.name}`;
const isTerminal = (p: PodObject) =>
  p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const isRunningAndReady = (p: PodObject) => p.status?.phase === 'Running' && isPodReady(p);

/**
 * upstream pkg/controller/statefulset (`statefulset-controller`): pods `<set>-<ordinal>` with
 * stable identity and claims from volumeClaimTemplates; OrderedReady creates ordinal i+1 only
 * once i is Running and Ready and removes from the highest ordinal down, one at a time
 * (Parallel does each step at once); RollingUpdate replaces pods of older revisions from the
 * highest ordinal down to `partition`.
 */
export class StatefulSetController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

  constructor(private readonly deps: StatefulSetControllerDeps) {
    this.controller = new Controller({
      name: 'statefulset-controller',
      queueName: 'statefulset',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: 2,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.pods, deps.revisions, deps.claims],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.statefulSets, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        this.requeue.cancel(keyOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj));
        return false;
      },
    });
    const podChanged = (obj: PodObject | DeletedFinalStateUnknown<PodObject>) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const ref = controllerRefOf(pod);
      if (ref?.kind === STS_KIND.kind) {
        this.controller.enqueueKey(`${pod.metadata?.namespace}/${ref.name}`);
      }
    };
    deps.pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (a, b) =>
        a.metadata?.resourceVersion !== b.metadata?.resourceVersion && podChanged(b),
      onDelete: podChanged,
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const set = this.deps.statefulSets.get(key);
    if (!set) {
      return;
    }
    const ns = set.metadata?.namespace ?? '';
    const uid = set.metadata?.uid;
    const revisions = this.deps.revisions
      .list()
      .filter((r) => r.metadata?.namespace === ns && controllerRefOf(r)?.uid === uid);
    const update = (await currentRevision(this.deps.rest, set, STS_KIND, revisions)).revision;
    const updateRevision = update.metadata?.name ?? '';
    const pods = this.deps.podsByNamespace
      .byIndex(ns)
      .filter((p) => controllerRefOf(p)?.uid === uid && ordinalOf(set, p) >= 0);
    if (!set.metadata?.deletionTimestamp) {
      await this.updateStatefulSet(set, pods, updateRevision);
    }
    await this.updateStatus(key, set, pods, updateRevision);
  }

  /** upstream updateStatefulSet / the default StatefulSetControl, one step per sync. */
  private async updateStatefulSet(
    set: StatefulSetObject,
    pods: PodObject[],
    updateRevision: string,
  ): Promise<void> {
    const replicas = set.spec?.replicas ?? 1;
    const { start, end } = ordinalRange(set);
    const inRange = (p: PodObject) => ordinalOf(set, p) >= start && ordinalOf(set, p) < end;
    const parallel = set.spec?.podManagementPolicy === 'Parallel';
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(set, p), p]));
    for (const pod of pods) {
      await this.applyClaimRetention(set, pod, inRange(pod));
    }
    // Replicas start..start+n-1 in order.
    for (let i = start; i < end; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        await this.createPod(set, i, updateRevision);
        if (!parallel) {
          return;
        }
        continue;
      }
      if (isTerminal(pod) && !pod.metadata?.deletionTimestamp) {
        // upstream: a failed (or finished) pod is deleted and recreated.
        await this.deletePod(set, pod);
        if (!parallel) {
          return;
        }
        continue;
      }
      if (!parallel && (!isRunningAndReady(pod) || pod.metadata?.deletionTimestamp)) {
        return;
      }
    }
    // Condemned pods (ordinal ≥ replicas), highest first.
    const condemned = pods
      .filter((p) => !inRange(p))
      .sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    for (const pod of condemned) {
      if (pod.metadata?.deletionTimestamp) {
        if (!parallel) {
          return;
        }
        continue;
      }
      await this.deletePod(set, pod);
      if (!parallel) {
        return;
      }
    }
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
      return;
    }
    const active = [...Array(replicas).keys()].map((i) => byOrdinal.get(start + i));
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const maxUnavailable = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
    if (maxUnavailable !== undefined && maxUnavailable !== null) {
      await this.rollWithMaxUnavailable(set, active, partition, maxUnavailable, updateRevision);
      return;
    }
    // Rolling update: every replica must be Running and Ready, then the highest old one goes.
    if (active.some((p) => !p || !isRunningAndReady(p) || p.metadata?.deletionTimestamp)) {
      return;
    }
    for (let i = replicas - 1; i >= partition; i--) {
      const pod = active[i]!;
      if (pod.metadata?.labels?.['controller-revision-hash'] !== updateRevision) {
        await this.deletePod(set, pod);
        return;
      }
    }
  }

  /**
   * upstream updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet): up to
   * `maxUnavailable` pods (rounded down, at least 1) may be unavailable at once; old-revision
   * pods go from the highest ordinal down to `partition`, several per step.
   */
  private async rollWithMaxUnavailable(
    set: StatefulSetObject,
    active: (PodObject | undefined)[],
    partition: number,
    maxUnavailable: number | string,
    updateRevision: string,
  ): Promise<void> {
    const now = this.deps.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const max = Math.max(1, scaledValue(maxUnavailable, active.length, false));
    const healthy = (p: PodObject | undefined) =>
      !!p &&
      isRunningAndReady(p) &&
      !p.metadata?.deletionTimestamp &&
      isPodAvailable(p, minReady, now);
    const unavailable = active.filter((p) => !healthy(p)).length;
    if (unavailable >= max) {
      return;
    }
    const victims: PodObject[] = [];
    for (let i = active.length - 1; i >= partition && victims.length < max - unavailable; i--) {
      const pod = active[i];
      if (
        pod &&
        pod.metadata?.labels?.['controller-revision-hash'] !== updateRevision &&
        !pod.metadata?.deletionTimestamp
      ) {
        victims.push(pod);
      }
    }
    await Promise.all(victims.map((pod) => this.deletePod(set, pod)));
  }

  /** Sets the claims' owner references for persistentVolumeClaimRetentionPolicy. */
  private async applyClaimRetention(
    set: StatefulSetObject,
    pod: PodObject,
    inRange: boolean,
  ): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    for (const template of claimsOf(set, ordinalOf(set, pod))) {
      const claim = this.deps.claims.get(`${ns}/${template.metadata?.name}`);
      const refs = claim && retentionOwnerRefs(claim, set, pod, inRange);
      if (!claim || !refs) {
        continue;
      }
      try {
        await this.deps.rest.patch(
          `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(claim.metadata?.name ?? '')}`,
          {
            metadata: {
              ownerReferences: refs,
              resourceVersion: claim.metadata?.resourceVersion,
            },
          },
          'merge',
        );
      } catch (err) {
        // A claim deleted meanwhile needs nothing. Anything else, a stale cache (409) included,
        // fails this sync before any pod is deleted (upstream UpdatePodClaimForRetentionPolicy
        // returns the error): a condemned pod deleted before its claim names it as owner would
        // leave the claim to the set for good.
        if (!isNotFound(err)) {
          throw err;
        }
      }
    }
  }

  private async createPod(
    set: StatefulSetObject,
    ordinal: number,
    revision: string,
  ): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    const name = podNameOf(set, ordinal);
    const owner = { ...set, ...STS_KIND };
    for (const claim of claimsOf(set, ordinal)) {
      await this.createClaim(set, claim, name);
    }
    const identity = statefulPodSpec(set, set.spec?.template ?? {}, ordinal, revision);
    const pod = podFromTemplate(
      set.spec?.template ?? {},
      newControllerRef(set, STS_KIND),
      identity,
    );
    try {
      await this.deps.rest.create(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, pod);
    } catch (err) {
      if (isConflict(err)) {
        return;
      }
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'FailedCreate',
        `create Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${apiErrorMessage(err)}`,
      );
      throw err;
    }
    this.deps.recorder.event(
      owner,
      EventType.Normal,
      'SuccessfulCreate',
      `create Pod ${name} in StatefulSet ${set.metadata?.name} successful`,
    );
  }

  private async createClaim(
    set: StatefulSetObject,
    claim: PersistentVolumeClaimObject,
    podName: string,
  ): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims`;
    const claimName = claim.metadata?.name ?? '';
    try {
      await this.deps.rest.get(`${path}/${encodeURIComponent(claimName)}`);
      return;
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
    const owner = { ...set, ...STS_KIND };
    const refs = retentionOwnerRefs(claim, set, undefined, true);
    try {
      await this.deps.rest.create(
        path,
        refs ? { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } } : claim,
      );
    } catch (err) {
      if (isConflict(err)) {
        return;
      }
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'FailedCreate',
        `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata?.name} failed error: ${apiErrorMessage(err)}`,
      );
      throw err;
    }
    this.deps.recorder.event(
      owner,
      EventType.Normal,
      'SuccessfulCreate',
      `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata?.name} success`,
    );
  }

  private async deletePod(set: StatefulSetObject, pod: PodObject): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const owner = { ...set, ...STS_KIND };
    try {
      await this.deps.rest.delete(
        `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(name)}`,
      );
    } catch (err) {
      if (isNotFound(err)) {
        return;
      }
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'FailedDelete',
        `delete Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${apiErrorMessage(err)}`,
      );
      throw err;
    }
    this.deps.recorder.event(
      owner,
      EventType.Normal,
      'SuccessfulDelete',
      `delete Pod ${name} in StatefulSet ${set.metadata?.name} successful`,
    );
  }

  /** upstream computeReplicaStatus + the revision bookkeeping of updateStatefulSetStatus. */
  private async updateStatus(
    key: string,
    set: StatefulSetObject,
    pods: PodObject[],
    updateRevision: string,
  ): Promise<void> {
    const now = this.deps.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const live = pods.filter((p) => !isTerminal(p));
    const replicas = live.length;
    const ready = live.filter(isPodReady).length;
    const available = live.filter((p) => isPodAvailable(p, minReady, now)).length;
    const updated = live.filter(
      (p) => p.metadata?.labels?.['controller-revision-hash'] === updateRevision,
    ).length;
    let currentRevision = set.status?.currentRevision || updateRevision;
    const desired = set.spec?.replicas ?? 1;
    if (updated === desired && ready === desired && replicas === desired) {
      currentRevision = updateRevision;
    }
    const current = live.filter(
      (p) => p.metadata?.labels?.['controller-revision-hash'] === currentRevision,
    ).length;
    const status = {
      ...(set.status ?? {}),
      observedGeneration: set.metadata?.generation,
      replicas,
      readyReplicas: ready || undefined,
      currentReplicas: current || undefined,
      updatedReplicas: updated || undefined,
      availableReplicas: available,
      currentRevision,
      updateRevision,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    const clean = Object.fromEntries(
      Object.entries(status).filter(([, v]) => v !== undefined),
    ) as NonNullable<StatefulSetObject['status']>;
    if (!jsonEqual(clean, set.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await writeStatusUnlessGone(
        this.deps.rest,
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/statefulsets/${encodeURIComponent(name)}`,
        set,
        clean,
      );
    }
    const wait = nextAvailableInMs(live, minReady, now);
    if (wait !== undefined) {
      this.requeue.after(key, wait);
    }
  }
}

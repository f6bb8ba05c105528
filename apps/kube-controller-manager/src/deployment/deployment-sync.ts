import { EventType, type EventRecorder } from '@app/controller-runtime';
import {
  isConflict,
  type DeploymentObject,
  type KubeRest,
  type PodObject,
  type ReplicaSetObject,
} from '@app/kube-client';
import { newControllerRef } from '../util/owner-refs';
import { jsonEqual, writeStatus } from '../util/status-update';
import {
  REASON,
  calculateStatus,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  normalizeStatus,
  rolloutStatus,
  setCondition,
  type DeploymentStatus,
} from './deployment-status';
import {
  REVISION_ANNOTATION,
  activeReplicaSets,
  availableReplicas,
  byCreation,
  byRevision,
  desiredReplicasAnnotation,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxScaledDown,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './deployment-util';
import { POD_TEMPLATE_HASH, computeHash, equalIgnoreHash } from './pod-template-hash';

export const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

export interface DeploymentSyncDeps {
  rest: KubeRest;
  recorder: EventRecorder;
  now: () => number;
}

/** What one sync asks of the controller afterwards. */
export interface SyncOutcome {
  /** Requeue after this many ms (progress deadline checks); 0 = rate-limited now. */
  requeueAfterMs?: number;
}

const rsPath = (ns: string, name: string) =>
  `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets/${encodeURIComponent(name)}`;
const deploymentPath = (ns: string, name: string) =>
  `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments/${encodeURIComponent(name)}`;

/**
 * One pass of upstream syncDeployment over a Deployment and the ReplicaSets it owns: pause
 * conditions, scaling events, RollingUpdate or Recreate, history cleanup and the status. The
 * Deployment's status is worked on in memory and written once at the end.
 */
export class DeploymentSync {
  private readonly d: DeploymentObject;
  private readonly ns: string;
  private readonly name: string;
  private outcome: SyncOutcome = {};

  constructor(
    private readonly deps: DeploymentSyncDeps,
    deployment: DeploymentObject,
    private rsList: ReplicaSetObject[],
    /** Pods of each owned ReplicaSet, by ReplicaSet uid (Recreate waits for them to end). */
    private readonly podsByRS: () => Map<string, PodObject[]>,
  ) {
    this.d = structuredClone(deployment);
    this.d.status ??= {};
    this.ns = deployment.metadata?.namespace ?? '';
    this.name = deployment.metadata?.name ?? '';
  }

  async run(original: DeploymentObject): Promise<SyncOutcome> {
    const d = this.d;
    const selector = d.spec?.selector;
    if (
      selector &&
      Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (selector.matchExpressions ?? []).length === 0
    ) {
      this.deps.recorder.event(
        this.ref(),
        EventType.Warning,
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      d.status!.observedGeneration = d.metadata?.generation;
      await this.writeStatus(original, d.status!);
      return {};
    }
    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
      await this.writeStatus(original, calculateStatus(d, [...oldRSs, newRS], newRS, this.now()));
      return {};
    }
    this.checkPausedConditions();
    let status: DeploymentStatus;
    if (d.spec?.paused || (await this.isScalingEvent())) {
      status = await this.syncScale();
    } else if (isRollingUpdate(d)) {
      status = await this.rolloutRolling();
    } else {
      status = await this.rolloutRecreate();
    }
    await this.writeStatus(original, status);
    return this.outcome;
  }

  private now(): number {
    return this.deps.now();
  }

  private ref() {
    return { ...this.d, ...DEPLOYMENT_KIND };
  }

  // --- ReplicaSets and revisions (upstream getAllReplicaSetsAndSyncRevision) ---------------

  private async getAllReplicaSetsAndSyncRevision(
    createIfNotExisted: boolean,
  ): Promise<{ newRS?: ReplicaSetObject; oldRSs: ReplicaSetObject[] }> {
    const sorted = [...this.rsList].sort(byCreation);
    const existing = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
    const oldRSs = sorted.filter((rs) => rs !== existing);
    const newRS = await this.getNewReplicaSet(existing, oldRSs, createIfNotExisted);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(
    existing: ReplicaSetObject | undefined,
    oldRSs: ReplicaSetObject[],
    createIfNotExisted: boolean,
  ): Promise<ReplicaSetObject | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds;
        return this.replaceRS(copy);
      }
      await this.setDeploymentRevision(copy.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        setCondition(
          d.status!,
          newCondition(
            'Progressing',
            'True',
            REASON.foundNewRS,
            `Found new replica set "${copy.metadata?.name}"`,
            this.now(),
          ),
        );
      }
      return existing;
    }
    if (!createIfNotExisted) {
      return undefined;
    }
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSetObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${this.name}-${hash}`,
        namespace: this.ns,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec?.minReadySeconds,
        selector,
        template,
      },
    };
    rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSetObject;
    let alreadyExists = false;
    try {
      created = await this.deps.rest.create<ReplicaSetObject>(
        `/apis/apps/v1/namespaces/${encodeURIComponent(this.ns)}/replicasets`,
        rs,
      );
    } catch (err) {
      if (!isConflict(err)) {
        const msg = `Failed to create new replica set "${rs.metadata?.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition(
            d.status!,
            newCondition('Progressing', 'False', REASON.failedRSCreate, msg, this.now()),
          );
        }
        this.deps.recorder.event(this.ref(), EventType.Warning, REASON.failedRSCreate, msg);
        throw err;
      }
      // AlreadyExists: ours with the same template (a stale cache), or a hash collision.
      const found = await this.deps.rest.get<ReplicaSetObject>(rsPath(this.ns, rs.metadata!.name!));
      const ref = found.metadata?.ownerReferences?.find((r) => r.controller);
      if (
        ref?.uid !== d.metadata?.uid ||
        !equalIgnoreHash(d.spec?.template, found.spec?.template)
      ) {
        d.status!.collisionCount = (d.status?.collisionCount ?? 0) + 1;
        await writeStatus(this.deps.rest, deploymentPath(this.ns, this.name), d, d.status);
        throw new Error(
          `hash collision on replica set ${rs.metadata?.name}, collisionCount raised`,
          { cause: err },
        );
      }
      created = found;
      alreadyExists = true;
    }
    this.rsList = [...this.rsList, created];
    const replicas = replicasOf(created);
    if (!alreadyExists && replicas > 0) {
      this.deps.recorder.event(
        this.ref(),
        EventType.Normal,
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`,
      );
    }
    await this.setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(
        d.status!,
        newCondition(
          'Progressing',
          'True',
          REASON.newRSCreated,
          `Created new replica set "${created.metadata?.name}"`,
          this.now(),
        ),
      );
    }
    return created;
  }

  /** upstream SetDeploymentRevision, written as a metadata patch. */
  private async setDeploymentRevision(revision: string): Promise<void> {
    if (!revision || this.d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) {
      return;
    }
    this.d.metadata!.annotations = {
      ...(this.d.metadata?.annotations ?? {}),
      [REVISION_ANNOTATION]: revision,
    };
    const patched = await this.deps.rest.patch<DeploymentObject>(
      deploymentPath(this.ns, this.name),
      { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } },
      'merge',
    );
    // The status write at the end goes on top of this version.
    this.d.metadata!.resourceVersion = patched.metadata?.resourceVersion;
  }

  private async replaceRS(rs: ReplicaSetObject): Promise<ReplicaSetObject> {
    const updated = await this.deps.rest.replace<ReplicaSetObject>(
      rsPath(this.ns, rs.metadata?.name ?? ''),
      rs,
    );
    this.rsList = this.rsList.map((r) => (r.metadata?.uid === updated.metadata?.uid ? updated : r));
    return updated;
  }

  // --- scaling (upstream scaleReplicaSet, sync, scale) -------------------------------------

  /** Sets a ReplicaSet's size (and replicas annotations); records `ScalingReplicaSet`. */
  private async scaleReplicaSet(
    rs: ReplicaSetObject,
    newScale: number,
    operation?: string,
  ): Promise<{ scaled: boolean; rs: ReplicaSetObject }> {
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    const oldScale = replicasOf(rs);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) {
      return { scaled: false, rs };
    }
    const copy = structuredClone(rs);
    copy.spec!.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.replaceRS(copy);
    if (sizeChanged) {
      const op = operation ?? (oldScale < newScale ? 'up' : 'down');
      this.deps.recorder.event(
        this.ref(),
        EventType.Normal,
        'ScalingReplicaSet',
        `Scaled ${op} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`,
      );
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** upstream isScalingEvent: an active ReplicaSet was sized for a different `replicas`. */
  private async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicasOf(this.d);
    });
  }

  /** upstream sync(): a scaling event or a paused Deployment. */
  private async syncScale(): Promise<DeploymentStatus> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS, oldRSs);
    ({ newRS, oldRSs } = this.current(newRS, oldRSs));
    if (this.d.spec?.paused) {
      await this.cleanup(oldRSs);
    }
    return calculateStatus(this.d, [...oldRSs, newRS], newRS, this.now());
  }

  private async scale(
    newRS: ReplicaSetObject | undefined,
    oldRSs: ReplicaSetObject[],
  ): Promise<void> {
    const desired = replicasOf(this.d);
    const only = findActiveOrLatest(newRS, oldRSs);
    if (only) {
      if (replicasOf(only) !== desired) {
        await this.scaleReplicaSet(only, desired);
      }
      return;
    }
    if (isSaturated(this.d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) {
        await this.scaleReplicaSet(old, 0);
      }
      return;
    }
    if (isRollingUpdate(this.d)) {
      const active = activeReplicaSets([...oldRSs, newRS]);
      const { sizes, operation } = proportionalSizes(this.d, active);
      for (const rs of active) {
        await this.scaleReplicaSet(
          rs,
          sizes.get(rs.metadata?.name ?? '') ?? replicasOf(rs),
          operation || undefined,
        );
      }
    }
  }

  /** The latest copies (after writes) of the given ReplicaSets. */
  private current(
    newRS: ReplicaSetObject | undefined,
    oldRSs: ReplicaSetObject[],
  ): { newRS?: ReplicaSetObject; oldRSs: ReplicaSetObject[] } {
    const latest = (rs: ReplicaSetObject) =>
      this.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs;
    return { newRS: newRS && latest(newRS), oldRSs: oldRSs.map(latest) };
  }

  // --- RollingUpdate (upstream rolling.go) -------------------------------------------------

  private async rolloutRolling(): Promise<DeploymentStatus> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true);
    if (!newRS) {
      throw new Error('no new replica set');
    }
    if (await this.reconcileNewReplicaSet(newRS, oldRSs)) {
      return this.syncRolloutStatus(this.current(newRS, oldRSs));
    }
    ({ newRS, oldRSs } = this.current(newRS, oldRSs));
    if (await this.reconcileOldReplicaSets(newRS!, oldRSs)) {
      return this.syncRolloutStatus(this.current(newRS, oldRSs));
    }
    const state = this.current(newRS, oldRSs);
    if (deploymentComplete(this.d, this.d.status!)) {
      await this.cleanup(state.oldRSs);
    }
    return this.syncRolloutStatus(state);
  }

  private async reconcileNewReplicaSet(
    newRS: ReplicaSetObject,
    oldRSs: ReplicaSetObject[],
  ): Promise<boolean> {
    const desired = replicasOf(this.d);
    if (replicasOf(newRS) === desired) {
      return false;
    }
    if (replicasOf(newRS) > desired) {
      return (await this.scaleReplicaSet(newRS, desired)).scaled;
    }
    const count = newRSNewReplicas(this.d, [...oldRSs, newRS], newRS);
    return (await this.scaleReplicaSet(newRS, count)).scaled;
  }

  private async reconcileOldReplicaSets(
    newRS: ReplicaSetObject,
    oldRSs: ReplicaSetObject[],
  ): Promise<boolean> {
    if (specReplicas(oldRSs) === 0) {
      return false;
    }
    const budget = maxScaledDown(this.d, [...oldRSs, newRS], newRS);
    if (budget <= 0) {
      return false;
    }
    const cleaned = await this.cleanupUnhealthyReplicas(activeReplicaSets(oldRSs), budget);
    const state = this.current(newRS, oldRSs);
    const scaled = await this.scaleDownOldForRollingUpdate(state.newRS!, state.oldRSs);
    return cleaned + scaled > 0;
  }

  /** Scales down old ReplicaSets' unavailable pods first (they cost no availability). */
  private async cleanupUnhealthyReplicas(
    oldRSs: ReplicaSetObject[],
    maxCleanup: number,
  ): Promise<number> {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= maxCleanup) {
        break;
      }
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) {
        continue;
      }
      const count = Math.min(maxCleanup - total, unhealthy);
      await this.scaleReplicaSet(rs, replicasOf(rs) - count);
      total += count;
    }
    return total;
  }

  private async scaleDownOldForRollingUpdate(
    newRS: ReplicaSetObject,
    oldRSs: ReplicaSetObject[],
  ): Promise<number> {
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const available = availableReplicas([...oldRSs, newRS]);
    if (available <= minAvailable) {
      return 0;
    }
    const wanted = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= wanted) {
        break;
      }
      if (replicasOf(rs) === 0) {
        continue;
      }
      const count = Math.min(replicasOf(rs), wanted - total);
      await this.scaleReplicaSet(rs, replicasOf(rs) - count);
      total += count;
    }
    return total;
  }

  // --- Recreate (upstream recreate.go) -----------------------------------------------------

  private async rolloutRecreate(): Promise<DeploymentStatus> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) {
      scaledDown = (await this.scaleReplicaSet(rs, 0)).scaled || scaledDown;
    }
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) {
      return this.syncRolloutStatus(this.current(newRS, oldRSs));
    }
    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true));
    }
    if (newRS) {
      await this.scaleReplicaSet(newRS, replicasOf(this.d));
    }
    const state = this.current(newRS, oldRSs);
    if (deploymentComplete(this.d, this.d.status!)) {
      await this.cleanup(state.oldRSs);
    }
    return this.syncRolloutStatus(state);
  }

  /** upstream oldPodsRunning: an old ReplicaSet still reports pods, or one has a pod not finished. */
  private oldPodsRunning(newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) {
      return true;
    }
    for (const [uid, pods] of this.podsByRS()) {
      if (newRS && uid === newRS.metadata?.uid) {
        continue;
      }
      if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) {
        return true;
      }
    }
    return false;
  }

  // --- history and status ------------------------------------------------------------------

  /** upstream cleanupDeployment: deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSetObject[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) {
      return;
    }
    const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = alive.length - limit;
    for (let i = 0; i < diff; i++) {
      const rs = alive[i];
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
      ) {
        continue;
      }
      try {
        await this.deps.rest.delete(rsPath(this.ns, rs.metadata?.name ?? ''));
      } catch (err) {
        if ((err as { code?: number }).code !== 404) {
          throw err;
        }
      }
    }
  }

  /** upstream syncRolloutStatus (the write happens in `run`) + requeueStuckDeployment. */
  private syncRolloutStatus(state: {
    newRS?: ReplicaSetObject;
    oldRSs: ReplicaSetObject[];
  }): DeploymentStatus {
    const now = this.now();
    const status = rolloutStatus(this.d, [...state.oldRSs, state.newRS], state.newRS, now);
    const current = getCondition(this.d.status, 'Progressing');
    const deadline = this.d.spec?.progressDeadlineSeconds;
    if (
      hasProgressDeadline(this.d) &&
      current &&
      deadline !== undefined &&
      !deploymentComplete(this.d, status) &&
      current.reason !== REASON.timedOut
    ) {
      const after = Date.parse(current.lastUpdateTime ?? '') + deadline * 1000 - now;
      this.outcome = { requeueAfterMs: after < 1000 ? 0 : after + 1000 };
    }
    return status;
  }

  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) {
      return;
    }
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASON.timedOut) {
      return;
    }
    const pausedExists = cond?.reason === REASON.paused;
    if (d.spec?.paused && !pausedExists) {
      setCondition(
        d.status!,
        newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', this.now()),
      );
    } else if (!d.spec?.paused && pausedExists) {
      setCondition(
        d.status!,
        newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', this.now()),
      );
    }
  }

  private async writeStatus(original: DeploymentObject, status: DeploymentStatus): Promise<void> {
    const next = normalizeStatus(status);
    if (jsonEqual(next, normalizeStatus(original.status ?? {}))) {
      return;
    }
    await writeStatus(this.deps.rest, deploymentPath(this.ns, this.name), this.d, next);
  }
}

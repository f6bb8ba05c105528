import { formatTime } from '@app/controller-runtime';
import type { DeploymentObject, ReplicaSetObject } from '@app/kube-client';
import {
  actualReplicas,
  availableReplicas,
  maxUnavailable,
  readyReplicas,
  replicasOf,
  specReplicas,
} from './deployment-util';

export type DeploymentStatus = NonNullable<DeploymentObject['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** upstream deployment/util reasons. */
export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export const hasProgressDeadline = (d: DeploymentObject): boolean =>
  d.spec?.progressDeadlineSeconds !== undefined &&
  d.spec.progressDeadlineSeconds !== null &&
  d.spec.progressDeadlineSeconds !== 2147483647;

export function newCondition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const t = formatTime(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export const getCondition = (
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined => status?.conditions?.find((c) => c.type === type);

/**
 * upstream SetDeploymentCondition: same status and reason → unchanged; same status → keeps
 * `lastTransitionTime`; the condition moves to the end of the list.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) {
    return;
  }
  const next = { ...condition };
  if (current && current.status === condition.status) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

/** upstream calculateStatus: counts over the ReplicaSets and the Available condition. */
export function calculateStatus(
  d: DeploymentObject,
  allRSs: readonly (ReplicaSetObject | undefined)[],
  newRS: ReplicaSetObject | undefined,
  now: number,
): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    collisionCount: d.status?.collisionCount,
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        REASON.minimumAvailable,
        'Deployment has minimum availability.',
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        REASON.minimumUnavailable,
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  }
  return status;
}

/** upstream DeploymentComplete. */
export function deploymentComplete(d: DeploymentObject, s: DeploymentStatus): boolean {
  const desired = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** upstream DeploymentProgressing: more updated, fewer old, more ready or more available. */
export function deploymentProgressing(d: DeploymentObject, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** upstream DeploymentTimedOut: no progress for `progressDeadlineSeconds` since the last update. */
export function deploymentTimedOut(d: DeploymentObject, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) {
    return false;
  }
  const c = getCondition(s, 'Progressing');
  if (!c) {
    return false;
  }
  if (c.reason === REASON.newRSAvailable) {
    return false;
  }
  if (c.reason === REASON.timedOut) {
    return true;
  }
  const from = Date.parse(c.lastUpdateTime ?? '');
  return now > from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000;
}

/**
 * upstream syncRolloutStatus's condition work on top of calculateStatus: Progressing
 * NewReplicaSetAvailable / ReplicaSetUpdated / ProgressDeadlineExceeded, and ReplicaFailure
 * copied from the ReplicaSets.
 */
export function rolloutStatus(
  d: DeploymentObject,
  allRSs: readonly (ReplicaSetObject | undefined)[],
  newRS: ReplicaSetObject | undefined,
  now: number,
): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) {
    removeCondition(status, 'Progressing');
  }
  const current = getCondition(d.status, 'Progressing');
  const complete =
    status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS
      ? `ReplicaSet "${newRS.metadata?.name}"`
      : `Deployment "${d.metadata?.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          REASON.newRSAvailable,
          `${subject} has successfully progressed.`,
          now,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const condition = newCondition(
        'Progressing',
        'True',
        REASON.rsUpdated,
        `${subject} is progressing.`,
        now,
      );
      if (current) {
        if (current.status === 'True') {
          condition.lastTransitionTime = current.lastTransitionTime;
        }
        removeCondition(status, 'Progressing');
      }
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'False',
          REASON.timedOut,
          `${subject} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = [newRS, ...allRSs]
    .map((rs) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure'))
    .find((c) => c !== undefined);
  if (failure) {
    setCondition(status, {
      type: 'ReplicaFailure',
      status: failure.status,
      reason: failure.reason,
      message: failure.message,
      lastUpdateTime: failure.lastTransitionTime,
      lastTransitionTime: failure.lastTransitionTime,
    });
  } else {
    removeCondition(status, 'ReplicaFailure');
  }
  return status;
}

/** Drops zero counters the API omits (`omitempty`), so cached and computed statuses compare. */
export function normalizeStatus(status: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) {
    if (v === undefined || v === null || v === 0 || (Array.isArray(v) && v.length === 0)) {
      continue;
    }
    out[k] = v;
  }
  return out;
}

import { formatTime } from '@app/controller-runtime';
import { apiErrorMessage, type PodObject } from '@app/kube-client';
import { selectorMatcher } from '../util/label-selector';
import { isPodAvailable, isPodReady } from '../util/pod-state';
import type { ReplicaSetLike } from './replica-set-kind';

type Status = NonNullable<ReplicaSetLike['status']>;

/**
 * upstream replicaset calculateStatus + updateReplicaSetStatus: counts of the active pods the
 * controller owns, `ReplicaFailure` while creating/deleting fails, `observedGeneration`.
 */
export function calculateReplicaSetStatus(
  rs: ReplicaSetLike,
  pods: readonly PodObject[],
  manageError: unknown,
  now: number,
): Status {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const hasTemplateLabels = selectorMatcher({ matchLabels: rs.spec?.template?.metadata?.labels });
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasTemplateLabels(pod.metadata?.labels)) {
      fullyLabeled++;
    }
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) {
        available++;
      }
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: apiErrorMessage(manageError),
      lastTransitionTime: formatTime(now),
    });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: Status = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled || undefined,
    readyReplicas: ready || undefined,
    availableReplicas: available || undefined,
    observedGeneration: rs.metadata?.generation,
    conditions: conditions.length > 0 ? conditions : undefined,
  };
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as Status;
}

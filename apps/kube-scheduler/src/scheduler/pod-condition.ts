import { formatTime } from '@app/controller-runtime';
import type { V1Pod } from '@app/kube-client';

export interface PodScheduledCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * updatePod's patch: the PodScheduled condition (lastTransitionTime kept while the status stays,
 * lastProbeTime null) and `status.nominatedNodeName` when it changes; undefined when nothing
 * would change (podutil.UpdatePodCondition returned false), so no write is made.
 */
export function podScheduledPatch(
  pod: V1Pod,
  condition: PodScheduledCondition,
  nominatedNodeName: string | undefined,
  nowMs: number,
): object | undefined {
  const existing = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const nominatedChanges =
    nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
  const same =
    existing &&
    existing.status === condition.status &&
    (existing.reason ?? '') === condition.reason &&
    (existing.message ?? '') === condition.message;
  if (same && !nominatedChanges) {
    return undefined;
  }
  const lastTransitionTime =
    existing && existing.status === condition.status && existing.lastTransitionTime
      ? String(toTimeString(existing.lastTransitionTime))
      : formatTime(nowMs);
  return {
    status: {
      conditions: [
        {
          type: 'PodScheduled',
          status: condition.status,
          lastProbeTime: null,
          lastTransitionTime,
          reason: condition.reason,
          message: condition.message,
        },
      ],
      ...(nominatedChanges ? { nominatedNodeName: nominatedNodeName || null } : {}),
    },
  };
}

/** Informer lists deserialise times into Dates; watches keep strings. */
function toTimeString(t: unknown): string {
  return t instanceof Date ? formatTime(t.getTime()) : String(t);
}

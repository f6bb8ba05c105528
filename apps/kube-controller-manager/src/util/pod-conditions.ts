import { formatTime } from '@app/controller-runtime';
import type { PodCondition, PodObject } from '@app/kube-client';

type PodStatus = NonNullable<PodObject['status']>;

/**
 * upstream podutil.UpdatePodCondition: sets `condition` on `status` (adding it when missing);
 * `lastTransitionTime` moves to now only when the status changes. Answers whether anything
 * changed.
 */
export function updatePodCondition(
  status: PodStatus,
  condition: PodCondition,
  nowMs: number,
): boolean {
  const now = formatTime(nowMs);
  const conditions = status.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === condition.type);
  if (index < 0) {
    status.conditions = [...conditions, { ...condition, lastTransitionTime: now }];
    return true;
  }
  const old = conditions[index];
  const next: PodCondition = {
    ...condition,
    lastTransitionTime: condition.status === old.status ? old.lastTransitionTime : now,
  };
  const changed =
    next.status !== old.status ||
    (next.reason ?? '') !== (old.reason ?? '') ||
    (next.message ?? '') !== (old.message ?? '') ||
    (next.lastProbeTime ?? null) !== (old.lastProbeTime ?? null) ||
    next.lastTransitionTime !== old.lastTransitionTime;
  if (changed) {
    status.conditions = conditions.map((c, i) => (i === index ? next : c));
  }
  return changed;
}

/** A pod's condition of one type. */
export function podCondition(pod: PodObject, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export const podPath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;

import type { CrdCondition } from './crd-types';

/**
 * SetCRDCondition: replaces the condition of the same type, keeping its lastTransitionTime when
 * the status did not change. Returns a new list.
 */
export function setCondition(
  conditions: CrdCondition[] | undefined,
  next: CrdCondition,
  now: string,
): CrdCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i < 0 ? undefined : list[i];
  const condition: CrdCondition = {
    type: next.type,
    status: next.status,
    lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : now,
    reason: next.reason,
    message: next.message,
  };
  if (i < 0) {
    list.push(condition);
  } else {
    list[i] = condition;
  }
  return list;
}

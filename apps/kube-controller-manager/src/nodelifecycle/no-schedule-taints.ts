import type { NodeObject, Taint } from '@app/kube-client';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  matchTaint,
} from '../util/taints';

/** upstream nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};

const CONDITION_TAINT_KEYS = new Set(
  Object.values(CONDITION_TAINTS).flatMap((byStatus) => Object.values(byStatus)),
);

/**
 * upstream doNoScheduleTaintingPass, as a diff: the NoSchedule taints the node's conditions and
 * `spec.unschedulable` call for, against the condition/unschedulable NoSchedule taints it has.
 */
export function noScheduleTaintDiff(node: NodeObject): { add: Taint[]; remove: Taint[] } {
  const wanted: Taint[] = [];
  for (const condition of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[condition.type]?.[condition.status];
    if (key) {
      wanted.push({ key, effect: 'NoSchedule' });
    }
  }
  if (node.spec?.unschedulable) {
    wanted.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  }
  const have = (node.spec?.taints ?? []).filter(
    (t) =>
      t.effect === 'NoSchedule' &&
      (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)),
  );
  return {
    add: wanted.filter((w) => !have.some((h) => matchTaint(h, w))),
    remove: have.filter((h) => !wanted.some((w) => matchTaint(h, w))),
  };
}

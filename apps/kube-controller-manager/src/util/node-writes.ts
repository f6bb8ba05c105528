import { formatTime } from '@app/controller-runtime';
import {
  isConflict,
  isNotFound,
  type KubeRest,
  type NodeObject,
  type Taint,
} from '@app/kube-client';
import { matchTaint } from './taints';

const NODE_UPDATE_RETRIES = 5;

export const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;

/**
 * upstream controller.AddOrUpdateTaintOnNode + RemoveTaintOffNode in one write: re-reads the node,
 * replaces taints matching `add` (same key and effect; new ones get `timeAdded` = now), drops
 * those matching `remove`, and writes `spec.taints` guarded by the resourceVersion it read,
 * retrying conflicts. Answers false when the node is gone, true when written or nothing changed.
 */
export async function swapNodeTaints(
  rest: KubeRest,
  nodeName: string,
  change: { add?: readonly Taint[]; remove?: readonly Taint[] },
  nowMs: number,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    let node: NodeObject;
    try {
      node = await rest.get<NodeObject>(nodePath(nodeName));
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }
      throw error;
    }
    const current = node.spec?.taints ?? [];
    let next = current.filter((t) => !(change.remove ?? []).some((r) => matchTaint(t, r)));
    for (const add of change.add ?? []) {
      const existing = next.find((t) => matchTaint(t, add));
      if (existing && (existing.value ?? '') === (add.value ?? '')) {
        continue;
      }
      next = [
        ...next.filter((t) => !matchTaint(t, add)),
        { ...add, timeAdded: add.timeAdded ?? formatTime(nowMs) },
      ];
    }
    if (sameTaints(current, next)) {
      return true;
    }
    try {
      await rest.patch(
        nodePath(nodeName),
        {
          metadata: { resourceVersion: node.metadata?.resourceVersion },
          spec: { taints: next.length > 0 ? next : null },
        },
        'merge',
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) {
        return false;
      }
      if (!isConflict(error) || attempt >= NODE_UPDATE_RETRIES) {
        throw error;
      }
    }
  }
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (t, i) =>
        t.key === b[i].key &&
        t.effect === b[i].effect &&
        (t.value ?? '') === (b[i].value ?? '') &&
        t.timeAdded === b[i].timeAdded,
    )
  );
}

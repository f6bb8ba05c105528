import { formatTime } from '@app/controller-runtime';
import type { V1PersistentVolumeClaim, V1PersistentVolumeClaimCondition } from '@app/kube-client';

/** PVC condition types of expansion (core/v1), which the resizer owns. */
export const RESIZING = 'Resizing';
export const FILE_SYSTEM_RESIZE_PENDING = 'FileSystemResizePending';
export const CONTROLLER_RESIZE_ERROR = 'ControllerResizeError';
export const NODE_RESIZE_ERROR = 'NodeResizeError';
const RESIZE_CONDITIONS = new Set([
  RESIZING,
  FILE_SYSTEM_RESIZE_PENDING,
  CONTROLLER_RESIZE_ERROR,
  NODE_RESIZE_ERROR,
]);

/** `status.allocatedResourceStatuses.storage` values (ClaimResourceStatus). */
export type ResizeStatus =
  | 'ControllerResizeInProgress'
  | 'ControllerResizeInfeasible'
  | 'NodeResizePending'
  | 'NodeResizeInProgress'
  | 'NodeResizeInfeasible';

export const FS_RESIZE_PENDING_MESSAGE =
  'Waiting for user to (re-)start a pod to finish file system resize of volume on node.';

/** A condition as it goes on the wire (informer copies carry Date objects). */
export interface WireCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  lastProbeTime?: string;
  reason?: string;
  message?: string;
}

const wireTime = (value: unknown): string | undefined =>
  value instanceof Date ? formatTime(value.getTime()) : (value as string | undefined);

export function wireConditions(claim: V1PersistentVolumeClaim): WireCondition[] {
  return (claim.status?.conditions ?? []).map((c: V1PersistentVolumeClaimCondition) => ({
    type: c.type,
    status: c.status,
    ...(c.lastTransitionTime ? { lastTransitionTime: wireTime(c.lastTransitionTime) } : {}),
    ...(c.lastProbeTime ? { lastProbeTime: wireTime(c.lastProbeTime) } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  }));
}

/**
 * MergeResizeConditionsOfPVC: other conditions stay; a resize condition is replaced by the new
 * one of its type, kept (`keepOld`) or dropped; new ones are appended.
 */
export function mergeResizeConditions(
  old: WireCondition[],
  added: WireCondition[],
  keepOld: boolean,
): WireCondition[] {
  const pending = new Map(added.map((c) => [c.type, c]));
  const result: WireCondition[] = [];
  for (const condition of old) {
    if (!RESIZE_CONDITIONS.has(condition.type)) {
      result.push(condition);
      continue;
    }
    const replacement = pending.get(condition.type);
    if (replacement) {
      result.push(replacement);
      pending.delete(condition.type);
    } else if (keepOld) {
      result.push(condition);
    }
  }
  return [...result, ...pending.values()];
}

export const hasFileSystemResizePending = (claim: V1PersistentVolumeClaim): boolean =>
  (claim.status?.conditions ?? []).some(
    (c) => c.type === FILE_SYSTEM_RESIZE_PENDING && c.status === 'True',
  );

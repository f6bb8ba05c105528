import type { ResourceType } from '../registry/resource-type';
import { isPlainObject, type KubeObject } from '../object/types';

/** Namespaces the namespace lifecycle admission refuses to delete. */
export const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

const isCore = (type: ResourceType, kind: string) => type.group === '' && type.kind === kind;

/**
 * Pods (pkg/registry/core/pod/strategy.go CheckGracefulDelete): the request's grace, else
 * terminationGracePeriodSeconds (30); 0 when unscheduled or finished. Other kinds: 0.
 */
export function gracePeriodSeconds(
  type: ResourceType,
  obj: KubeObject,
  requested: number | undefined,
): number {
  if (!isCore(type, 'Pod')) {
    return 0;
  }
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') {
    return 0;
  }
  const grace = requested ?? (spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
  return Math.max(0, grace);
}

/**
 * Whether a terminating object without finalizers may go now: namespaces once their `kubernetes`
 * finalizer is gone, pods once their grace period is over, everything else at once.
 */
export function deletionDue(type: ResourceType, obj: KubeObject, nowMs: number): boolean {
  if (isCore(type, 'Namespace')) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    return !Array.isArray(spec.finalizers) || spec.finalizers.length === 0;
  }
  const grace = obj.metadata.deletionGracePeriodSeconds ?? 0;
  return grace === 0 || Date.parse(obj.metadata.deletionTimestamp ?? '') <= nowMs;
}

/**
 * The finalizer that makes the garbage collector orphan or wait for dependents, if any. A DELETE
 * naming no policy gets the kind's default (batch/v1 Jobs orphan their pods).
 */
export function gcFinalizerFor(
  options: { propagationPolicy?: string; orphanDependents?: boolean },
  kindDefault?: 'Orphan',
): string | undefined {
  const policy =
    options.propagationPolicy ?? (options.orphanDependents === undefined ? kindDefault : undefined);
  if (policy === 'Orphan' || options.orphanDependents === true) {
    return 'orphan';
  }
  return policy === 'Foreground' ? 'foregroundDeletion' : undefined;
}

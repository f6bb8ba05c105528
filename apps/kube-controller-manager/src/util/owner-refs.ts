import type { KubeObject } from '@app/controller-runtime';
import type { OwnerReference } from '@app/kube-client';

/** The group/version/kind a controller stamps on what it owns. */
export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

interface WithOwners extends KubeObject {
  metadata?: KubeObject['metadata'] & {
    ownerReferences?: OwnerReference[];
    deletionTimestamp?: string;
  };
}

/** upstream metav1.NewControllerRef: `controller: true, blockOwnerDeletion: true`. */
export function newControllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** upstream metav1.GetControllerOf: the owner reference with `controller: true`, if any. */
export function controllerRefOf(obj: WithOwners): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** True when `obj` is controlled by the object with this uid. */
export function isControlledBy(obj: WithOwners, ownerUid: string | undefined): boolean {
  return !!ownerUid && controllerRefOf(obj)?.uid === ownerUid;
}

/**
 * upstream ControllerRefManager's claim rule, reduced to what a cache-driven reconcile needs:
 * objects already controlled by the owner stay claimed (even when the selector no longer
 * matches, upstream releases them: here the caller does that with `release`), orphans matching
 * the selector are adopted (unless the owner is being deleted), others are left alone.
 */
export function claimDecision(
  obj: WithOwners,
  owner: WithOwners,
  matches: boolean,
): 'owned' | 'adopt' | 'release' | 'ignore' {
  const ref = controllerRefOf(obj);
  if (ref) {
    if (ref.uid !== owner.metadata?.uid) {
      return 'ignore';
    }
    if (matches) {
      return 'owned';
    }
    return obj.metadata?.deletionTimestamp || owner.metadata?.deletionTimestamp
      ? 'ignore'
      : 'release';
  }
  if (!matches || owner.metadata?.deletionTimestamp || obj.metadata?.deletionTimestamp) {
    return 'ignore';
  }
  return 'adopt';
}

/** The strategic-merge patch that adopts an orphan (upstream ownerRefControllerPatch). */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): object {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata?.uid } };
}

/** The strategic-merge patch that releases an object (upstream deleteOwnerRefStrategicMergePatch). */
export function releasePatch(obj: KubeObject, ownerUid: string): object {
  return {
    metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata?.uid },
  };
}

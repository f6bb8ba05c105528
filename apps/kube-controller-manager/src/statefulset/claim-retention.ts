import type {
  OwnerReference,
  PersistentVolumeClaimObject,
  PodObject,
  StatefulSetObject,
} from '@app/kube-client';

type Owner = { metadata?: { name?: string; uid?: string } };

/** The ordinals a set runs: [start, start + replicas) (spec.ordinals.start, 1.31+ GA). */
export function ordinalRange(set: StatefulSetObject): { start: number; end: number } {
  const start = set.spec?.ordinals?.start ?? 0;
  return { start, end: start + (set.spec?.replicas ?? 1) };
}

/**
 * upstream updateClaimOwnerRefForSetAndPod (persistentVolumeClaimRetentionPolicy):
 * whenDeleted Delete → the claim is owned by the StatefulSet (the garbage collector deletes it
 * with the set); whenScaled Delete → the claim of a pod outside the ordinal range is owned by
 * that pod (deleted with it). Retain removes the reference. Answers the claim's new owner
 * references, or undefined when they already match.
 */
export function retentionOwnerRefs(
  claim: PersistentVolumeClaimObject,
  set: StatefulSetObject,
  pod: PodObject | undefined,
  podInRange: boolean,
): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleteWithSet = policy.whenDeleted === 'Delete';
  const deleteWhenScaled = policy.whenScaled === 'Delete';
  const refs = [...(claim.metadata?.ownerReferences ?? [])];
  let changed = false;
  const set_ = (owner: Owner, apiVersion: string, kind: string) => {
    if (!owner.metadata?.uid || refs.some((r) => r.uid === owner.metadata?.uid)) {
      return;
    }
    refs.push({ apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid });
    changed = true;
  };
  const remove = (owner: Owner | undefined) => {
    const i = refs.findIndex((r) => owner?.metadata?.uid && r.uid === owner.metadata.uid);
    if (i >= 0) {
      refs.splice(i, 1);
      changed = true;
    }
  };
  const scaledDown = pod !== undefined && !podInRange;
  if (deleteWithSet && !(deleteWhenScaled && scaledDown)) {
    set_(set, 'apps/v1', 'StatefulSet');
  } else {
    remove(set);
  }
  if (deleteWhenScaled && scaledDown) {
    set_(pod, 'v1', 'Pod');
  } else {
    remove(pod);
  }
  return changed ? refs : undefined;
}

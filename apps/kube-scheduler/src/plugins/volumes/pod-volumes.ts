import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@app/kube-client';
import { claimClass } from '@app/csi';
import type { Listers } from '../../framework/interfaces';
import { Status } from '../../framework/status';

/** A claim a pod uses, by volume: its own PVC or the one a generic ephemeral volume creates. */
export interface PodClaim {
  name: string;
  ephemeral: boolean;
}

export function claimsOf(pod: V1Pod): PodClaim[] {
  const out: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) {
      out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    } else if (v.ephemeral) {
      out.push({ name: `${pod.metadata?.name ?? ''}-${v.name}`, ephemeral: true });
    }
  }
  return out;
}

/** The PVC of `claim`, or the status a missing/foreign one earns (as the volume plugins word it). */
export function lookupClaim(
  listers: Listers,
  pod: V1Pod,
  claim: PodClaim,
): V1PersistentVolumeClaim | Status {
  const ns = pod.metadata?.namespace ?? '';
  const pvc = listers.persistentVolumeClaim(ns, claim.name);
  if (!pvc) {
    return Status.unresolvable(`persistentvolumeclaim "${claim.name}" not found`);
  }
  if (claim.ephemeral && !pvc.metadata?.ownerReferences?.some((r) => r.uid === pod.metadata?.uid)) {
    return Status.unresolvable(
      `PVC ${ns}/${claim.name} was not created for pod ${ns}/${pod.metadata?.name ?? ''} (pod is not owner)`,
    );
  }
  return pvc;
}

/** The CSI driver and volume handle a claim will be attached as (unbound: the class's provisioner). */
export function csiVolumeOf(
  listers: Listers,
  pvc: V1PersistentVolumeClaim,
): { driver: string; handle: string } | undefined {
  const pvName = pvc.spec?.volumeName;
  if (pvName) {
    const pv: V1PersistentVolume | undefined = listers.persistentVolume(pvName);
    const csi = pv?.spec?.csi;
    return csi ? { driver: csi.driver, handle: csi.volumeHandle } : undefined;
  }
  const provisioner = listers.storageClass(claimClass(pvc))?.provisioner;
  if (!provisioner) {
    return undefined;
  }
  // Not provisioned yet: identify it by the claim, as upstream does for unbound claims.
  return {
    driver: provisioner,
    handle: `${pvc.metadata?.namespace ?? ''}-${pvc.metadata?.name ?? ''}`,
  };
}

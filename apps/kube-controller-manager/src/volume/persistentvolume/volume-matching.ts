import { ANN_BETA_STORAGE_CLASS, claimClass, quantityValue } from '@app/csi';
import type { PersistentVolumeClaimObject, PersistentVolumeObject } from '@app/kube-client';
import { selectorMatches } from '../../util/label-selector';

const storageOf = (q: { storage?: string } | undefined): bigint => {
  try {
    return quantityValue(String(q?.storage ?? '0'));
  } catch {
    return 0n;
  }
};

/** The claim's storage request in bytes. */
export const requestedBytes = (claim: PersistentVolumeClaimObject): bigint =>
  storageOf(claim.spec?.resources?.requests);

/** The volume's capacity in bytes. */
export const capacityBytes = (pv: PersistentVolumeObject): bigint => storageOf(pv.spec?.capacity);

/** GetPersistentVolumeClass: the beta annotation wins over `spec.storageClassName`. */
export function volumeClass(pv: PersistentVolumeObject): string {
  return pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** IsVolumeBoundToClaim: the PV's claimRef names the claim (and its UID, once set). */
export function isVolumeBoundToClaim(
  pv: PersistentVolumeObject,
  claim: PersistentVolumeClaimObject,
): boolean {
  const ref = pv.spec?.claimRef;
  return (
    !!ref &&
    ref.name === claim.metadata?.name &&
    ref.namespace === claim.metadata?.namespace &&
    (!ref.uid || ref.uid === claim.metadata?.uid)
  );
}

/** The PV offers every access mode the claim asks for (the PV index's mode matching). */
function accessModesFit(pv: PersistentVolumeObject, claim: PersistentVolumeClaimObject): boolean {
  const offered = pv.spec?.accessModes ?? [];
  return (claim.spec?.accessModes ?? []).every((m) => offered.includes(m));
}

/**
 * upstream FindMatchingVolume without a node (the PV controller's path): a volume already
 * pre-bound to the claim wins; otherwise the smallest Available volume of the claim's class
 * with enough capacity, the access modes, the volume mode and labels matching the claim's
 * selector. With delayed binding (WaitForFirstConsumer) only pre-bound volumes count — the
 * scheduler picks the others, knowing the node.
 */
export function findBestMatchForClaim(
  claim: PersistentVolumeClaimObject,
  volumes: readonly PersistentVolumeObject[],
  delayBinding: boolean,
): PersistentVolumeObject | undefined {
  const requested = requestedBytes(claim);
  const className = claimClass(claim);
  const claimMode = claim.spec?.volumeMode ?? 'Filesystem';
  let smallest: PersistentVolumeObject | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) {
      continue;
    }
    if (capacityBytes(pv) < requested || !accessModesFit(pv, claim)) {
      continue;
    }
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== claimMode || pv.metadata?.deletionTimestamp) {
      continue;
    }
    if (isVolumeBoundToClaim(pv, claim)) {
      return pv;
    }
    if (delayBinding) {
      continue;
    }
    if (pv.status?.phase !== 'Available') {
      continue;
    }
    if (claim.spec?.selector && !selectorMatches(claim.spec.selector, pv.metadata?.labels)) {
      continue;
    }
    if (volumeClass(pv) !== className) {
      continue;
    }
    if (!smallest || capacityBytes(smallest) > capacityBytes(pv)) {
      smallest = pv;
    }
  }
  return smallest;
}

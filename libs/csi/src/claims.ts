import {
  ANN_BETA_DEFAULT_STORAGE_CLASS,
  ANN_BETA_STORAGE_CLASS,
  ANN_DEFAULT_STORAGE_CLASS,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_STORAGE_PROVISIONER,
} from './well-known';

/** The PVC fields these helpers read (a V1PersistentVolumeClaim fits). */
export interface ClaimLike {
  metadata?: { uid?: string; annotations?: { [key: string]: string } };
  spec?: { storageClassName?: string };
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over `spec.storageClassName`; "" = none. */
export function claimClass(claim: ClaimLike): string {
  const annotated = claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  return annotated ?? claim.spec?.storageClassName ?? '';
}

/** storageutil.IsDefaultAnnotation: the class is marked default (GA or beta annotation, exactly "true"). */
export function isDefaultStorageClass(sc: {
  metadata?: { annotations?: { [key: string]: string } };
}): boolean {
  const annotations = sc.metadata?.annotations ?? {};
  return (
    annotations[ANN_DEFAULT_STORAGE_CLASS] === 'true' ||
    annotations[ANN_BETA_DEFAULT_STORAGE_CLASS] === 'true'
  );
}

/** The provisioner the PV controller asked for (GA annotation, else the beta one). */
export function claimProvisioner(claim: ClaimLike): string | undefined {
  const annotations = claim.metadata?.annotations ?? {};
  return annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER];
}

/** external-provisioner's PV name for a claim: `pvc-<claim UID>` (`--volume-name-prefix=pvc`). */
export function provisionedVolumeName(claim: ClaimLike): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

import type { CsiVolume, TopologySegments } from '@app/cloud-provider';
import {
  ANN_PROVISIONED_BY,
  ANN_PROVISIONER_DELETION_SECRET_NAME,
  ANN_PROVISIONER_DELETION_SECRET_NAMESPACE,
  FINALIZER_EXTERNAL_PROVISIONER,
  claimClass,
  formatBinaryQuantity,
  provisionedVolumeName,
} from '@app/csi';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@app/kube-client';

/** VolumeAttributes key naming the provisioner instance that created the volume. */
export const PROVISIONER_IDENTITY_KEY = 'storage.kubernetes.io/csiProvisionerIdentity';

export interface PersistentVolumeInputs {
  claim: V1PersistentVolumeClaim;
  storageClass: V1StorageClass;
  volume: CsiVolume;
  driver: string;
  /** `<unix ms>-<random>-<driver>`, fixed for the life of the provisioner. */
  identity: string;
  fsType: string;
}

/**
 * The PV external-provisioner creates for a provisioned volume (csiProvisioner.Provision and
 * provisionClaimOperation): `pvc-<uid>`, provisioned-by and the (empty) deletion-secret
 * annotations, the provisioner finalizer, the CSI source, capacity, the claim's access and volume
 * modes, the class's reclaim policy, mount options and name, node affinity from the volume's
 * topology and a claimRef the PV controller binds by.
 */
export function persistentVolumeFor(inputs: PersistentVolumeInputs): V1PersistentVolume {
  const { claim, storageClass, volume } = inputs;
  const block = claim.spec?.volumeMode === 'Block';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: provisionedVolumeName(claim),
      annotations: {
        [ANN_PROVISIONED_BY]: storageClass.provisioner,
        [ANN_PROVISIONER_DELETION_SECRET_NAME]: '',
        [ANN_PROVISIONER_DELETION_SECRET_NAMESPACE]: '',
      },
      finalizers: [FINALIZER_EXTERNAL_PROVISIONER],
    },
    spec: {
      accessModes: claim.spec?.accessModes,
      capacity: { storage: formatBinaryQuantity(volume.capacityBytes) },
      csi: {
        driver: inputs.driver,
        volumeHandle: volume.volumeId,
        ...(!block && inputs.fsType !== '' ? { fsType: inputs.fsType } : {}),
        volumeAttributes: { [PROVISIONER_IDENTITY_KEY]: inputs.identity, ...volume.volumeContext },
      },
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      ...(storageClass.mountOptions?.length ? { mountOptions: storageClass.mountOptions } : {}),
      ...(claim.spec?.volumeMode ? { volumeMode: claim.spec.volumeMode } : {}),
      storageClassName: claimClass(claim),
      ...(volume.accessibleTopology.length > 0
        ? { nodeAffinity: volumeNodeAffinity(volume.accessibleTopology) }
        : {}),
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        resourceVersion: claim.metadata?.resourceVersion,
      },
    },
  };
}

/** GenerateVolumeNodeAffinity: one term per topology, one `In` expression per segment. */
export function volumeNodeAffinity(topologies: TopologySegments[]) {
  return {
    required: {
      nodeSelectorTerms: topologies
        .filter((t) => Object.keys(t).length > 0)
        .map((t) => ({
          matchExpressions: Object.entries(t).map(([key, value]) => ({
            key,
            operator: 'In',
            values: [value],
          })),
        })),
    },
  };
}

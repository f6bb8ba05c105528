import { ANN_SELECTED_NODE } from '@app/csi';
import type { StorageClients } from '@app/kube-client';
import type { VolumeApi } from '../plugins/volumes/volume-binding';

/** VolumeBinding's writes over kube-client's storage clients (the scheduler's volume binder). */
export function volumeApiOver(storage: StorageClients): VolumeApi {
  return {
    async claimPersistentVolume(pv, claim) {
      // The PV's resourceVersion guards against a PV taken meanwhile (409).
      await storage.volumes.patch(pv.metadata?.name ?? '', {
        metadata: { resourceVersion: pv.metadata?.resourceVersion },
        spec: {
          claimRef: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            namespace: claim.metadata?.namespace,
            name: claim.metadata?.name,
            uid: claim.metadata?.uid,
            resourceVersion: claim.metadata?.resourceVersion,
          },
        },
      });
    },
    async selectNode(namespace, claim, node) {
      await storage.claims.patch(namespace, claim, {
        metadata: { annotations: { [ANN_SELECTED_NODE]: node } },
      });
    },
  };
}

import type {
  KubeConfig,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { KubeRestClient } from './rest-client';

/** The PV/PVC writes of kube-scheduler's volume binder (static binding, delayed provisioning). */
export class VolumeBindingClient {
  private readonly rest: KubeRestClient;

  constructor(kc: KubeConfig) {
    this.rest = new KubeRestClient(kc);
  }

  /** `spec.claimRef` → the claim, guarded by the PV's resourceVersion (a 409 if it moved). */
  async claimPersistentVolume(
    pv: V1PersistentVolume,
    claim: V1PersistentVolumeClaim,
  ): Promise<void> {
    await this.rest.call(
      'PATCH',
      `/api/v1/persistentvolumes/${encodeURIComponent(pv.metadata?.name ?? '')}`,
      {
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
      },
      'application/merge-patch+json',
    );
  }

  /** `volume.kubernetes.io/selected-node` on a claim waiting for its first consumer. */
  async selectNode(namespace: string, claim: string, node: string): Promise<void> {
    await this.rest.call(
      'PATCH',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(claim)}`,
      { metadata: { annotations: { 'volume.kubernetes.io/selected-node': node } } },
      'application/merge-patch+json',
    );
  }
}

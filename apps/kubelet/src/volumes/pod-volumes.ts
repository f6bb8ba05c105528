import { csiUniqueVolumeName, volumeAttachmentName } from '@app/csi';
import type {
  CsiDriverObject,
  InformerAdapter,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  PodObject,
  VolumeAttachmentObject,
} from '@app/kube-client';

/** How a pod's claims stand on a node (the kubelet volume manager's view). */
export interface PodVolumeState {
  /** Every claim is bound and its volume attached: the pod may start. */
  ready: boolean;
  /** Pod volume names not mounted yet (claim unbound, volume missing or not attached). */
  unmounted: string[];
  /** Pod volume names whose volume is not attached to the node yet. */
  unattached: string[];
  /** Unique names of the attachable volumes the pod uses (`node.status.volumesInUse`). */
  inUse: string[];
}

export interface VolumeListers {
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  volumes: InformerAdapter<PersistentVolumeObject>;
  attachments: InformerAdapter<VolumeAttachmentObject>;
  drivers: InformerAdapter<CsiDriverObject>;
}

/** The pod volumes that are claims: `[volume name, claim name]`. */
export const claimVolumesOf = (pod: PodObject): [string, string][] =>
  (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [[v.name, v.persistentVolumeClaim.claimName]] : [],
  );

/**
 * The volume manager's WaitForAttachAndMount check for one pod on one node: each claim Bound to
 * an existing volume, and a CSI volume whose driver requires attaching attached to this node
 * (its VolumeAttachment `csi-<sha256>` says `attached: true`). Simulated nodes have no data
 * plane, so an attached, bound volume counts as mounted.
 */
export function podVolumeState(
  listers: VolumeListers,
  pod: PodObject,
  nodeName: string,
): PodVolumeState {
  const state: PodVolumeState = { ready: true, unmounted: [], unattached: [], inUse: [] };
  for (const [volumeName, claimName] of claimVolumesOf(pod)) {
    const claim = listers.claims.get(`${pod.metadata?.namespace ?? ''}/${claimName}`);
    const pvName = claim?.status?.phase === 'Bound' ? claim.spec?.volumeName : undefined;
    const pv = pvName ? listers.volumes.get(pvName) : undefined;
    if (!pv) {
      state.ready = false;
      state.unmounted.push(volumeName);
      state.unattached.push(volumeName);
      continue;
    }
    const csi = pv.spec?.csi;
    if (!csi?.driver || !csi.volumeHandle) {
      continue; // not attachable: mounted as soon as it is bound
    }
    if (listers.drivers.get(csi.driver)?.spec?.attachRequired === false) {
      continue;
    }
    state.inUse.push(csiUniqueVolumeName(csi.driver, csi.volumeHandle));
    const va = listers.attachments.get(
      volumeAttachmentName(csi.volumeHandle, csi.driver, nodeName),
    );
    if (!va?.status?.attached || va.metadata?.deletionTimestamp) {
      state.ready = false;
      state.unmounted.push(volumeName);
      state.unattached.push(volumeName);
    }
  }
  return state;
}

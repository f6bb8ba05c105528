import { quantityValue } from '@app/csi';
import { EventType, errorMessage, type Logger } from '@app/controller-runtime';
import type {
  CsiDriverObject,
  KubeRest,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  PodObject,
  SharedInformers,
  VolumeAttachmentObject,
} from '@app/kube-client';
import type { HollowNode } from '../node/hollow-node';
import { podVolumeState, type PodVolumeState, type VolumeListers } from './pod-volumes';

/** Resize conditions the node step clears (MergeResizeConditionOnPVC without keeping old ones). */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending']);

const bytes = (q: string | undefined): bigint => {
  try {
    return quantityValue(q ?? '0');
  } catch {
    return 0n;
  }
};

export interface VolumeManagerDeps {
  /** The client of a node (its own identity). */
  restFor(nodeName: string): KubeRest;
  informers: SharedInformers;
  /** The simulated kubelets currently up. */
  nodes(): HollowNode[];
  logger: Logger;
}

/**
 * The volume managers of the simulated kubelets, sharing one claim, volume, VolumeAttachment and
 * CSIDriver informer: pods wait for their claims to be bound and attached (pod-volumes.ts); a
 * change wakes the pods waiting and refreshes `status.volumesInUse`; and a claim the external
 * resizer left at `NodeResizePending` is finished on the node that has it mounted (the kubelet's
 * NodeExpandVolume: claim capacity, resize conditions cleared, `FileSystemResizeSuccessful`).
 */
export class KubeletVolumeManager {
  readonly listers: VolumeListers;
  /** Claims being expanded right now (`ns/name@bytes`), so a burst of updates expands once. */
  private readonly expanding = new Set<string>();

  constructor(private readonly deps: VolumeManagerDeps) {
    const i = deps.informers;
    this.listers = {
      claims: i.informer<PersistentVolumeClaimObject>('/api/v1/persistentvolumeclaims'),
      volumes: i.informer<PersistentVolumeObject>('/api/v1/persistentvolumes'),
      attachments: i.informer<VolumeAttachmentObject>('/apis/storage.k8s.io/v1/volumeattachments'),
      drivers: i.informer<CsiDriverObject>('/apis/storage.k8s.io/v1/csidrivers'),
    };
    const everyNode = () => this.wakeNodes(this.deps.nodes());
    this.listers.claims.addEventHandler({
      onAdd: (c) => (everyNode(), this.maybeExpand(c)),
      onUpdate: (_old, c) => (everyNode(), this.maybeExpand(c)),
    });
    this.listers.volumes.addEventHandler({ onAdd: everyNode, onUpdate: everyNode });
    this.listers.drivers.addEventHandler({ onAdd: everyNode, onUpdate: everyNode });
    const attachmentNode = (va: VolumeAttachmentObject) =>
      this.wakeNodes(this.deps.nodes().filter((n) => n.name === va.spec?.nodeName));
    this.listers.attachments.addEventHandler({
      onAdd: attachmentNode,
      onUpdate: (_old, va) => attachmentNode(va),
    });
  }

  podVolumes(pod: PodObject, nodeName: string): PodVolumeState {
    return podVolumeState(this.listers, pod, nodeName);
  }

  /** A pod got its volumes mounted: its claims may have a node expansion waiting. */
  podMounted(pod: PodObject): void {
    for (const v of pod.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName
        ? this.listers.claims.get(
            `${pod.metadata?.namespace ?? ''}/${v.persistentVolumeClaim.claimName}`,
          )
        : undefined;
      if (claim) {
        this.maybeExpand(claim);
      }
    }
  }

  private wakeNodes(nodes: HollowNode[]): void {
    for (const node of nodes) {
      node.pods.resyncClaimPods();
      node.volumesMayHaveChanged();
    }
  }

  /**
   * The kubelet's node step of an expansion: the PV grew past the claim's capacity and the
   * resizer asked for the node (`NodeResizePending` or `FileSystemResizePending`). A node with a
   * pod mounting the claim grows the file system (instantly here) and records the new capacity.
   */
  private maybeExpand(claim: PersistentVolumeClaimObject): void {
    const pending =
      claim.status?.allocatedResourceStatuses?.storage === 'NodeResizePending' ||
      (claim.status?.conditions ?? []).some((c) => c.type === 'FileSystemResizePending');
    const pv = pending ? this.listers.volumes.get(claim.spec?.volumeName ?? '') : undefined;
    const size = pv?.spec?.capacity?.storage;
    if (!pv || !size || bytes(size) <= bytes(claim.status?.capacity?.storage)) {
      return;
    }
    const ns = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    for (const node of this.deps.nodes()) {
      const pods = node.pods.podsMounting(ns, name);
      if (pods.length > 0) {
        void this.expandOnNode(node, pods, claim, pv, size);
        return;
      }
    }
  }

  private async expandOnNode(
    node: HollowNode,
    pods: PodObject[],
    claim: PersistentVolumeClaimObject,
    pv: PersistentVolumeObject,
    size: string,
  ): Promise<void> {
    const ns = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    const key = `${ns}/${name}@${size}`;
    if (this.expanding.has(key)) {
      return;
    }
    this.expanding.add(key);
    try {
      const conditions = (claim.status?.conditions ?? []).filter(
        (c) => !RESIZE_CONDITIONS.has(c.type),
      );
      await this.deps.restFor(node.name).patch(
        `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(name)}/status`,
        {
          status: {
            capacity: { storage: size },
            conditions: conditions.length > 0 ? conditions : null,
            allocatedResourceStatuses: { storage: null },
          },
        },
        'merge',
      );
      // operation_generator nodeExpandVolume: the same message on the pod and on the claim.
      const message = `MountVolume.NodeExpandVolume succeeded for volume "${pv.metadata?.name}" ${node.name}`;
      for (const pod of pods) {
        node.recorder.event(
          {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: ns,
            name: pod.metadata?.name,
            uid: pod.metadata?.uid,
          },
          EventType.Normal,
          'FileSystemResizeSuccessful',
          message,
        );
      }
      node.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name,
          uid: claim.metadata?.uid,
        },
        EventType.Normal,
        'FileSystemResizeSuccessful',
        message,
      );
    } catch (err) {
      this.deps.logger.warn(
        { claim: `${ns}/${name}`, err: errorMessage(err) },
        'NodeExpandVolume failed to record the new capacity',
      );
    } finally {
      this.expanding.delete(key);
    }
  }
}

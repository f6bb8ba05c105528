import type { Volumes } from '@app/cloud-provider';
import { ANN_VOLUME_ATTACHMENT_NODE_ID, attacherFinalizer } from '@app/csi';
import { errorMessage, formatTime, type Logger, type Scheduler } from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type KubeClient,
  type V1CSINode,
  type V1PersistentVolume,
  type V1VolumeAttachment,
} from '@app/kube-client';
import { addFinalizerPatch, removeFinalizerPatch } from '../finalizer-patches';

export interface AttachHandlerDeps {
  volumes: Volumes;
  driver: string;
  kube: KubeClient;
  persistentVolumes: InformerAdapter<V1PersistentVolume>;
  csiNodes: InformerAdapter<V1CSINode>;
  volumeAttachments: InformerAdapter<V1VolumeAttachment>;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * external-attacher's csiHandler: attaches VolumeAttachments of its driver (finalizers on the PV
 * and the VolumeAttachment, the node-ID annotation, ControllerPublish, `status.attached` with the
 * publish context) and detaches deleted ones (ControllerUnpublish, the finalizer first, then the
 * status). Failures land in `status.attachError` / `detachError` and are retried with backoff.
 */
export class AttachHandler {
  /** VolumeAttachments the reconciler found out of step with the cloud (forceSync). */
  private readonly forceSync = new Set<string>();
  readonly finalizer: string;

  constructor(private readonly deps: AttachHandlerDeps) {
    this.finalizer = attacherFinalizer(deps.driver);
  }

  /** Process `name` once more even if its status already looks right. */
  setForceSync(name: string): void {
    this.forceSync.add(name);
  }

  async syncVolumeAttachment(name: string): Promise<void> {
    const va = this.deps.volumeAttachments.get(name);
    if (!va || va.spec?.attacher !== this.deps.driver) {
      return;
    }
    if (va.metadata?.deletionTimestamp) {
      await this.syncDetach(va);
    } else {
      await this.syncAttach(va);
    }
  }

  private async syncAttach(va: V1VolumeAttachment): Promise<void> {
    const name = va.metadata?.name ?? '';
    if (!this.consumeForceSync(name) && va.status?.attached) {
      return;
    }
    let current = va;
    try {
      const attached = await this.attach(va, (updated) => (current = updated));
      current = attached.va;
      await this.deps.kube.storage.attachments.patchStatus(name, {
        status: { attached: true, attachmentMetadata: attached.metadata, attachError: null },
      });
    } catch (err) {
      await this.saveError(current, 'attachError', err);
      throw new Error(`failed to attach: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** csiAttach: checks first (nothing blocks the VA's deletion on a bad spec), then publish. */
  private async attach(
    va: V1VolumeAttachment,
    saved: (va: V1VolumeAttachment) => void,
  ): Promise<{ va: V1VolumeAttachment; metadata: Record<string, string> }> {
    if (va.spec?.source?.inlineVolumeSpec) {
      throw new Error(`inline volumes are not supported by ${this.deps.driver}`);
    }
    const pvName = va.spec?.source?.persistentVolumeName;
    if (!pvName) {
      throw new Error(
        'neither InlineCSIVolumeSource nor PersistentVolumeName specified in VA source',
      );
    }
    const pv = this.deps.persistentVolumes.get(pvName);
    if (!pv) {
      throw new Error(`persistentvolume "${pvName}" not found`);
    }
    if (pv.metadata?.deletionTimestamp) {
      throw new Error(`PersistentVolume "${pvName}" is marked for deletion`);
    }
    await this.addPvFinalizer(pv);
    const handle = pv.spec?.csi?.volumeHandle;
    if (!handle) {
      throw new Error('pv spec contained non-csi source that was not migrated');
    }
    const nodeName = va.spec?.nodeName ?? '';
    const nodeId = this.nodeIdFromCsiNode(nodeName);
    const finalizers = va.metadata?.finalizers ?? [];
    const annotations = va.metadata?.annotations ?? {};
    let current = va;
    if (
      !finalizers.includes(this.finalizer) ||
      annotations[ANN_VOLUME_ATTACHMENT_NODE_ID] !== nodeId
    ) {
      try {
        current = await this.deps.kube.storage.attachments.patch(va.metadata?.name ?? '', {
          metadata: {
            finalizers: finalizers.includes(this.finalizer)
              ? finalizers
              : [...finalizers, this.finalizer],
            annotations: { [ANN_VOLUME_ATTACHMENT_NODE_ID]: nodeId },
          },
        });
      } catch (err) {
        throw new Error(`could not save VolumeAttachment: ${errorMessage(err)}`, { cause: err });
      }
      saved(current);
    }
    const readOnly = pv.spec?.csi?.readOnly === true;
    const metadata = await this.deps.volumes.controllerPublishVolume(handle, nodeId, readOnly);
    return { va: current, metadata };
  }

  private async syncDetach(va: V1VolumeAttachment): Promise<void> {
    const name = va.metadata?.name ?? '';
    if (!this.consumeForceSync(name) && !(va.metadata?.finalizers ?? []).includes(this.finalizer)) {
      return;
    }
    try {
      const pvName = va.spec?.source?.persistentVolumeName ?? '';
      const pv = this.deps.persistentVolumes.get(pvName);
      if (!pv) {
        throw new Error(`persistentvolume "${pvName}" not found`);
      }
      const handle = pv.spec?.csi?.volumeHandle ?? '';
      const nodeId = this.nodeId(va);
      await this.deps.volumes.controllerUnpublishVolume(handle, nodeId);
    } catch (err) {
      await this.saveError(va, 'detachError', err);
      throw new Error(`failed to detach: ${errorMessage(err)}`, { cause: err });
    }
    await this.markDetached(va);
  }

  /**
   * markAsDetached: the finalizer goes first (a deleted VA without it counts as detached, so a
   * crash here never unpublishes twice), then the status is cleared (404: already gone).
   */
  private async markDetached(va: V1VolumeAttachment): Promise<void> {
    const name = va.metadata?.name ?? '';
    const finalizers = va.metadata?.finalizers ?? [];
    if (finalizers.includes(this.finalizer)) {
      await this.deps.kube.storage.attachments.patch(name, {
        metadata: { finalizers: finalizers.filter((f) => f !== this.finalizer) },
      });
    } else if (!va.status?.attached) {
      return;
    }
    try {
      await this.deps.kube.storage.attachments.patchStatus(name, {
        status: { attached: false, detachError: null, attachmentMetadata: null },
      });
    } catch (err) {
      if (!isNotFound(err)) {
        throw new Error(`could not mark as detached: ${errorMessage(err)}`, { cause: err });
      }
    }
  }

  /** The attacher's PV side: drop the PV finalizer once the PV is deleted and no VA uses it. */
  async syncPersistentVolume(name: string): Promise<void> {
    const pv = this.deps.persistentVolumes.get(name);
    if (!pv?.metadata?.deletionTimestamp) {
      return;
    }
    const patch = removeFinalizerPatch(pv.metadata.finalizers, this.finalizer);
    if (!patch) {
      return;
    }
    const inUse = this.deps.volumeAttachments
      .list()
      .some((va) => va.spec?.source?.persistentVolumeName === name);
    if (inUse) {
      return;
    }
    await this.deps.kube.storage.volumes.patch(name, patch, 'json');
  }

  private async addPvFinalizer(pv: V1PersistentVolume): Promise<void> {
    const finalizers = pv.metadata?.finalizers;
    if ((finalizers ?? []).includes(this.finalizer)) {
      return;
    }
    try {
      await this.deps.kube.storage.volumes.patch(
        pv.metadata?.name ?? '',
        addFinalizerPatch(finalizers, this.finalizer),
        'json',
      );
    } catch (err) {
      throw new Error(`could not add PersistentVolume finalizer: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  /** getNodeID: the driver's entry on the node's CSINode. */
  private nodeIdFromCsiNode(nodeName: string): string {
    const csiNode = this.deps.csiNodes.get(nodeName);
    if (!csiNode) {
      throw new Error(`csinode.storage.k8s.io "${nodeName}" not found`);
    }
    const entry = csiNode.spec?.drivers?.find((d) => d.name === this.deps.driver);
    if (!entry) {
      throw new Error(`CSINode ${nodeName} does not contain driver ${this.deps.driver}`);
    }
    return entry.nodeID;
  }

  /** For detach: CSINode first, else the node ID recorded on the VolumeAttachment. */
  nodeId(va: V1VolumeAttachment): string {
    try {
      return this.nodeIdFromCsiNode(va.spec?.nodeName ?? '');
    } catch (err) {
      const recorded = va.metadata?.annotations?.[ANN_VOLUME_ATTACHMENT_NODE_ID];
      if (recorded) {
        return recorded;
      }
      throw err;
    }
  }

  private async saveError(
    va: V1VolumeAttachment,
    field: 'attachError' | 'detachError',
    err: unknown,
  ): Promise<void> {
    try {
      await this.deps.kube.storage.attachments.patchStatus(va.metadata?.name ?? '', {
        status: {
          [field]: { message: errorMessage(err), time: formatTime(this.deps.scheduler.now()) },
        },
      });
    } catch (saveErr) {
      this.deps.logger.info(
        { volumeAttachment: va.metadata?.name, err: errorMessage(saveErr) },
        `Failed to save ${field === 'attachError' ? 'attach' : 'detach'} error to VolumeAttachment`,
      );
    }
  }

  private consumeForceSync(name: string): boolean {
    return this.forceSync.delete(name);
  }
}

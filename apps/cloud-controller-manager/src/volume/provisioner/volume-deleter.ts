import type { Volumes } from '@app/cloud-provider';
import { ANN_PROVISIONED_BY, FINALIZER_EXTERNAL_PROVISIONER } from '@app/csi';
import {
  EventType,
  errorMessage,
  objectReference,
  type EventRecorder,
} from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type KubeClient,
  type V1PersistentVolume,
  type V1VolumeAttachment,
} from '@app/kube-client';
import { addFinalizerPatch, removeFinalizerPatch } from '../finalizer-patches';

export interface VolumeDeleterDeps {
  volumes: Volumes;
  driver: string;
  kube: KubeClient;
  persistentVolumes: InformerAdapter<V1PersistentVolume>;
  volumeAttachments: InformerAdapter<V1VolumeAttachment>;
  recorder: EventRecorder;
}

const pvRef = (pv: V1PersistentVolume) =>
  objectReference(pv, { apiVersion: 'v1', kind: 'PersistentVolume' });

/**
 * The provisioner's PV side (syncVolume): keeps the provisioner finalizer on bound PVs that
 * reclaim with Delete, and deletes Released ones — cloud volume, then the PV, then the finalizer.
 */
export class VolumeDeleter {
  constructor(private readonly deps: VolumeDeleterDeps) {}

  async sync(name: string): Promise<void> {
    let pv = this.deps.persistentVolumes.get(name);
    if (!pv || !this.isOurs(pv)) {
      return;
    }
    pv = await this.handleProtectionFinalizer(pv);
    if (this.shouldDelete(pv)) {
      await this.delete(pv);
    }
  }

  /** isProvisionerForVolume: provisioned by this driver, or a static PV of it. */
  private isOurs(pv: V1PersistentVolume): boolean {
    const provisionedBy = pv.metadata?.annotations?.[ANN_PROVISIONED_BY];
    return provisionedBy !== undefined
      ? provisionedBy === this.deps.driver
      : pv.spec?.csi?.driver === this.deps.driver;
  }

  private async handleProtectionFinalizer(pv: V1PersistentVolume): Promise<V1PersistentVolume> {
    const finalizers = pv.metadata?.finalizers;
    const has = (finalizers ?? []).includes(FINALIZER_EXTERNAL_PROVISIONER);
    const policy = pv.spec?.persistentVolumeReclaimPolicy;
    const name = pv.metadata?.name ?? '';
    if (
      !has &&
      policy === 'Delete' &&
      !pv.metadata?.deletionTimestamp &&
      pv.status?.phase === 'Bound'
    ) {
      return this.deps.kube.storage.volumes.patch(
        name,
        addFinalizerPatch(finalizers, FINALIZER_EXTERNAL_PROVISIONER),
        'json',
      );
    }
    const patch =
      policy === 'Retain' || policy === 'Recycle'
        ? removeFinalizerPatch(finalizers, FINALIZER_EXTERNAL_PROVISIONER)
        : undefined;
    return patch ? this.deps.kube.storage.volumes.patch(name, patch, 'json') : pv;
  }

  private shouldDelete(pv: V1PersistentVolume): boolean {
    const has = (pv.metadata?.finalizers ?? []).includes(FINALIZER_EXTERNAL_PROVISIONER);
    if (!has && pv.metadata?.deletionTimestamp) {
      return false; // the backing volume is already gone
    }
    return pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete';
  }

  /** deleteVolumeOperation; any failure is a VolumeFailedDelete event and a retry with backoff. */
  private async delete(pv: V1PersistentVolume): Promise<void> {
    const name = pv.metadata?.name ?? '';
    try {
      const attachment = this.deps.volumeAttachments
        .list()
        .find((va) => va.spec?.source?.persistentVolumeName === name);
      if (attachment) {
        throw new Error(
          `persistentvolume ${name} is still attached to node ${attachment.spec?.nodeName ?? ''}`,
        );
      }
      const handle = pv.spec?.csi?.volumeHandle;
      if (!handle) {
        throw new Error('invalid CSI PV');
      }
      await this.deps.volumes.deleteVolume(handle);
    } catch (err) {
      this.deps.recorder.event(
        pvRef(pv),
        EventType.Warning,
        'VolumeFailedDelete',
        errorMessage(err),
      );
      throw err;
    }
    try {
      await this.deps.kube.storage.volumes.delete(name);
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
      return;
    }
    const patch = removeFinalizerPatch(pv.metadata?.finalizers, FINALIZER_EXTERNAL_PROVISIONER);
    if (patch) {
      try {
        await this.deps.kube.storage.volumes.patch(name, patch, 'json');
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
      }
    }
  }
}

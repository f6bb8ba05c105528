import {
  Controller,
  ItemExponentialFailureRateLimiter,
  isDeletedFinalStateUnknown,
  type Logger,
} from '@app/controller-runtime';
import type { V1PersistentVolume, V1VolumeAttachment } from '@app/kube-client';
import type { Registry } from 'prom-client';
import {
  RETRY_INTERVAL_MAX_MS,
  RETRY_INTERVAL_START_MS,
} from '../provisioner/provisioner-controller';
import { AttachHandler, type AttachHandlerDeps } from './attach-handler';

/** csi-attacher's `--reconcile-sync`: how often attachments are compared with the cloud. */
export const RECONCILE_SYNC_MS = 60_000;

export interface AttacherControllerDeps extends AttachHandlerDeps {
  registry: Registry;
  /** `--worker-threads` (upstream default 10). */
  workers: number;
  reconcileSyncMs?: number;
}

/**
 * external-attacher's CSIAttachController: a VolumeAttachment queue, a PV queue (PV finalizers)
 * and the periodic ReconcileVA, which re-processes attachments whose `status.attached` no longer
 * matches the cloud (e.g. the instance was terminated and its volumes detached).
 */
export class AttacherController {
  readonly handler: AttachHandler;
  private readonly vaController: Controller;
  private readonly pvController: Controller;

  constructor(private readonly deps: AttacherControllerDeps) {
    this.handler = new AttachHandler(deps);
    const rateLimiter = () =>
      new ItemExponentialFailureRateLimiter<string>(RETRY_INTERVAL_START_MS, RETRY_INTERVAL_MAX_MS);
    this.vaController = new Controller({
      name: 'csi-attacher',
      queueName: 'csi-attacher-va',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      rateLimiter: rateLimiter(),
      reconcile: (name) => this.handler.syncVolumeAttachment(name),
      waitFor: [deps.persistentVolumes, deps.csiNodes],
      periodics: [
        {
          name: 'csi-attacher-reconcile-va',
          periodMs: deps.reconcileSyncMs ?? RECONCILE_SYNC_MS,
          run: () => this.reconcileWithCloud(deps.logger),
        },
      ],
    });
    this.pvController = new Controller({
      name: 'csi-attacher-pv',
      queueName: 'csi-attacher-pv',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      rateLimiter: rateLimiter(),
      reconcile: (name) => this.handler.syncPersistentVolume(name),
      waitFor: [deps.volumeAttachments],
    });
    this.vaController.watch(deps.volumeAttachments, {
      update: shouldEnqueueChange,
      delete: (obj) => {
        const va = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        const pv = va.spec?.source?.persistentVolumeName;
        if (pv) {
          this.pvController.enqueueKey(pv);
        }
        return false;
      },
    });
    const finalizing = (pv: V1PersistentVolume) =>
      !!pv.metadata?.deletionTimestamp &&
      (pv.metadata.finalizers ?? []).includes(this.handler.finalizer);
    this.pvController.watch(deps.persistentVolumes, {
      add: finalizing,
      update: (_old, pv) => finalizing(pv),
      delete: false,
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.vaController.start(), this.pvController.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.vaController.stop(), this.pvController.stop()]);
  }

  /** ReconcileVA: force a sync of every attachment whose attached status the cloud contradicts. */
  private async reconcileWithCloud(logger: Logger): Promise<void> {
    const attachments = this.deps.volumeAttachments
      .list()
      .filter((va) => va.spec?.attacher === this.deps.driver);
    if (attachments.length === 0) {
      return;
    }
    const published = await this.deps.volumes.listPublishedVolumes();
    for (const va of attachments) {
      const pv = this.deps.persistentVolumes.get(va.spec?.source?.persistentVolumeName ?? '');
      const handle = pv?.spec?.csi?.volumeHandle;
      if (!handle) {
        continue;
      }
      let nodeId: string;
      try {
        nodeId = this.handler.nodeId(va);
      } catch {
        continue;
      }
      const found = (published.get(handle) ?? []).includes(nodeId);
      if ((va.status?.attached ?? false) !== found) {
        logger.warn(
          { volumeAttachment: va.metadata?.name, attached: va.status?.attached, found },
          'VolumeAttachment attached status and actual state do not match; reprocessing',
        );
        const name = va.metadata?.name ?? '';
        this.handler.setForceSync(name);
        this.vaController.enqueueKey(name);
      }
    }
  }
}

/**
 * shouldEnqueueVAChange: resyncs and real changes are processed; an update that only wrote
 * attachError/detachError (the attacher's own) is not, or every failure would loop at once.
 */
function shouldEnqueueChange(oldVa: V1VolumeAttachment, newVa: V1VolumeAttachment): boolean {
  if (oldVa.metadata?.resourceVersion === newVa.metadata?.resourceVersion) {
    return true;
  }
  const errorsOf = (va: V1VolumeAttachment) => [va.status?.attachError, va.status?.detachError];
  if (errorsOf(newVa).every((e) => !e) && errorsOf(oldVa).every((e) => !e)) {
    return true;
  }
  const sanitized = (va: V1VolumeAttachment, from: V1VolumeAttachment) =>
    JSON.stringify({
      ...va,
      metadata: { ...va.metadata, resourceVersion: undefined, managedFields: undefined },
      status: {
        ...va.status,
        attachError: from.status?.attachError,
        detachError: from.status?.detachError,
      },
    });
  return sanitized(newVa, oldVa) !== sanitized(oldVa, oldVa);
}

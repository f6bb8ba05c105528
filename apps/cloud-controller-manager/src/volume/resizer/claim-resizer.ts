import { csiCodeOf, type VolumeMode, type Volumes } from '@app/cloud-provider';
import {
  ANN_NODE_EXPANSION_NOT_REQUIRED,
  ANN_PRE_RESIZE_CAPACITY,
  formatBinaryQuantity,
  quantityValue,
} from '@app/csi';
import {
  EventType,
  errorMessage,
  formatTime,
  objectReference,
  type EventRecorder,
  type Scheduler,
} from '@app/controller-runtime';
import type {
  InformerAdapter,
  KubeClient,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@app/kube-client';
import {
  CONTROLLER_RESIZE_ERROR,
  FILE_SYSTEM_RESIZE_PENDING,
  FS_RESIZE_PENDING_MESSAGE,
  RESIZING,
  hasFileSystemResizePending,
  mergeResizeConditions,
  wireConditions,
  type ResizeStatus,
  type WireCondition,
} from './resize-status';

export interface ClaimResizerDeps {
  volumes: Volumes;
  driver: string;
  /** The resizer's name in messages: `external-resizer <driver>` as the sidecar names itself. */
  name: string;
  kube: KubeClient;
  claims: InformerAdapter<V1PersistentVolumeClaim>;
  persistentVolumes: InformerAdapter<V1PersistentVolume>;
  recorder: EventRecorder;
  scheduler: Scheduler;
}

const storageOf = (resources: { [key: string]: string } | undefined): bigint | undefined => {
  const text = resources?.storage;
  return text === undefined ? undefined : quantityValue(text);
};

/** external-resizer's final errors: nothing can be in flight (IsFinalError). */
const isFinal = (err: unknown): boolean => {
  const code = csiCodeOf(err);
  return (
    code !== undefined &&
    !['DeadlineExceeded', 'Unavailable', 'ResourceExhausted', 'Aborted'].includes(code)
  );
};
const isInfeasible = (err: unknown): boolean =>
  ['InvalidArgument', 'OutOfRange', 'NotFound'].includes(csiCodeOf(err) ?? '');

/**
 * external-resizer with RecoverVolumeExpansionFailure (on since Kubernetes 1.32): a bound claim
 * whose request grew past `status.capacity` is marked Resizing (`allocatedResources`,
 * `ControllerResizeInProgress`), the cloud volume is expanded, the PV capacity follows; then
 * either the node must grow the file system (FileSystemResizePending, NodeResizePending — the
 * kubelet's step) or the claim's capacity is set and the expansion is finished.
 */
export class ClaimResizer {
  private readonly finalErrors = new Set<string>();

  constructor(private readonly deps: ClaimResizerDeps) {}

  async sync(key: string): Promise<void> {
    const claim = this.deps.claims.get(key);
    const pvName = claim?.spec?.volumeName;
    if (!claim || !pvName) {
      return;
    }
    const pv = this.deps.persistentVolumes.get(pvName);
    if (!pv) {
      throw new Error(`PV "${pvName}" bound to pvc "${key}" not found`);
    }
    await this.dropPreResizeAnnotation(claim, pv);
    if (!this.needsResize(claim) || !this.canExpand(claim, pv)) {
      return;
    }
    await this.expandAndRecover(key, claim, pv);
  }

  /** pvcNeedResize: bound, and the request is above the recorded capacity. Shrinks never are. */
  private needsResize(claim: V1PersistentVolumeClaim): boolean {
    if (claim.status?.phase !== 'Bound') {
      return false;
    }
    const requested = storageOf(claim.spec?.resources?.requests) ?? 0n;
    const actual = storageOf(claim.status?.capacity) ?? 0n;
    return requested > actual;
  }

  /** pvCanBeExpanded: our driver's PV, bound to exactly this claim. */
  private canExpand(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): boolean {
    const ref = pv.spec?.claimRef;
    return (
      pv.spec?.csi?.driver === this.deps.driver &&
      ref?.namespace === claim.metadata?.namespace &&
      ref?.uid === claim.metadata?.uid
    );
  }

  private async expandAndRecover(
    key: string,
    claim: V1PersistentVolumeClaim,
    pv: V1PersistentVolume,
  ): Promise<void> {
    const specSize = storageOf(claim.spec?.resources?.requests) ?? 0n;
    const statusSize = storageOf(claim.status?.capacity) ?? 0n;
    const pvSize = storageOf(pv.spec?.capacity) ?? 0n;
    const resizeStatus = claim.status?.allocatedResourceStatuses?.storage as
      ResizeStatus | undefined;
    const allocated = storageOf(claim.status?.allocatedResources);
    let newSize = specSize;
    if (pvSize < specSize) {
      switch (resizeStatus) {
        case 'NodeResizeInfeasible':
          newSize = allocated ?? specSize;
          break;
        case 'NodeResizePending':
        case 'NodeResizeInProgress':
          newSize = allocated ?? specSize;
          if (pvSize >= newSize) {
            return; // let the node finish the previous expansion first
          }
          break;
        case 'ControllerResizeInProgress':
          newSize = this.finalErrors.has(key) ? specSize : (allocated ?? specSize);
          break;
        case 'ControllerResizeInfeasible':
        case undefined:
          newSize = specSize;
      }
    } else {
      switch (resizeStatus) {
        case 'NodeResizeInProgress':
        case 'NodeResizePending':
          return; // the kubelet's turn
        case 'NodeResizeInfeasible':
        case 'ControllerResizeInProgress':
        case 'ControllerResizeInfeasible':
          newSize = allocated ?? specSize;
          break;
        case undefined:
          if (allocated !== undefined) {
            newSize = allocated;
          } else if (hasFileSystemResizePending(claim)) {
            return;
          }
      }
    }
    const updateStatus = allocated === undefined || allocated !== newSize;
    const marked = await this.markInProgress(claim, newSize, updateStatus);
    const ref = objectReference(marked, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    this.deps.recorder.event(
      ref,
      EventType.Normal,
      'Resizing',
      `External resizer is resizing volume ${pv.metadata?.name ?? ''}`,
    );
    try {
      await this.callResize(key, marked, pv, newSize, statusSize);
    } catch (err) {
      this.deps.recorder.event(ref, EventType.Warning, 'VolumeResizeFailed', errorMessage(err));
      throw err;
    }
  }

  private async callResize(
    key: string,
    claim: V1PersistentVolumeClaim,
    pv: V1PersistentVolume,
    newSize: bigint,
    oldSize: bigint,
  ): Promise<void> {
    let result;
    try {
      result = await this.deps.volumes.controllerExpandVolume(
        pv.spec?.csi?.volumeHandle ?? '',
        newSize,
        (pv.spec?.volumeMode as VolumeMode | undefined) ?? 'Filesystem',
      );
    } catch (err) {
      if (isFinal(err)) {
        this.finalErrors.add(key);
        await this.patchClaimStatus(
          claim,
          {
            conditions: mergeResizeConditions(
              wireConditions(claim),
              [
                this.condition(
                  CONTROLLER_RESIZE_ERROR,
                  `failed to expand pvc with ${errorMessage(err)}`,
                ),
              ],
              true,
            ),
            ...(isInfeasible(err)
              ? { allocatedResourceStatuses: { storage: 'ControllerResizeInfeasible' } }
              : {}),
          },
          false,
        ).catch(() => undefined);
      } else {
        this.finalErrors.delete(key);
      }
      throw new Error(
        `resize volume "${pv.metadata?.name ?? ''}" by resizer "${this.deps.name}" failed: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    this.finalErrors.delete(key);
    await this.updatePvCapacity(pv, oldSize, result.capacityBytes, result.nodeExpansionRequired);
    const ref = objectReference(claim, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    if (result.nodeExpansionRequired) {
      await this.patchClaimStatus(claim, {
        conditions: mergeResizeConditions(
          wireConditions(claim),
          [this.condition(FILE_SYSTEM_RESIZE_PENDING, FS_RESIZE_PENDING_MESSAGE)],
          true,
        ),
        allocatedResourceStatuses: { storage: 'NodeResizePending' },
      });
      this.deps.recorder.event(
        ref,
        EventType.Normal,
        'FileSystemResizeRequired',
        'Require file system resize of volume on node',
      );
      return;
    }
    await this.patchClaimStatus(claim, {
      capacity: { ...claim.status?.capacity, storage: formatBinaryQuantity(result.capacityBytes) },
      conditions: mergeResizeConditions(wireConditions(claim), [], false),
      allocatedResourceStatuses: { storage: null },
    });
    await this.deps.kube.storage.claims.patch(
      claim.metadata?.namespace ?? '',
      claim.metadata?.name ?? '',
      {
        metadata: { annotations: { [ANN_NODE_EXPANSION_NOT_REQUIRED]: 'true' } },
      },
    );
    this.deps.recorder.event(
      ref,
      EventType.Normal,
      'VolumeResizeSuccessful',
      'Resize volume succeeded',
    );
  }

  /** markControllerResizeInProgress: Resizing, ControllerResizeInProgress, allocatedResources. */
  private markInProgress(
    claim: V1PersistentVolumeClaim,
    newSize: bigint,
    updateStatus: boolean,
  ): Promise<V1PersistentVolumeClaim> {
    return this.patchClaimStatus(claim, {
      conditions: mergeResizeConditions(
        wireConditions(claim),
        [this.condition(RESIZING)],
        !updateStatus,
      ),
      ...(updateStatus
        ? { allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } }
        : {}),
      allocatedResources: { storage: formatBinaryQuantity(newSize) },
    });
  }

  /** updatePVCapacity (+ AnnotateFsResize: the old size while the node's step is pending). */
  private async updatePvCapacity(
    pv: V1PersistentVolume,
    oldSize: bigint,
    newSize: bigint,
    fsResizeRequired: boolean,
  ): Promise<void> {
    const annotate =
      fsResizeRequired && pv.metadata?.annotations?.[ANN_PRE_RESIZE_CAPACITY] === undefined;
    try {
      await this.deps.kube.storage.volumes.patch(pv.metadata?.name ?? '', {
        ...(annotate
          ? {
              metadata: {
                annotations: { [ANN_PRE_RESIZE_CAPACITY]: formatBinaryQuantity(oldSize) },
              },
            }
          : {}),
        spec: { capacity: { storage: formatBinaryQuantity(newSize) } },
      });
    } catch (err) {
      throw new Error(
        `error updating pv "${pv.metadata?.name ?? ''}" by resizer: updating capacity of PV to ${formatBinaryQuantity(newSize)} failed: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  /** Once the node's step is done (claim capacity ≥ PV capacity), the old-size annotation goes. */
  private async dropPreResizeAnnotation(
    claim: V1PersistentVolumeClaim,
    pv: V1PersistentVolume,
  ): Promise<void> {
    if (pv.metadata?.annotations?.[ANN_PRE_RESIZE_CAPACITY] === undefined) {
      return;
    }
    if ((storageOf(claim.status?.capacity) ?? 0n) >= (storageOf(pv.spec?.capacity) ?? 0n)) {
      await this.deps.kube.storage.volumes.patch(pv.metadata?.name ?? '', {
        metadata: { annotations: { [ANN_PRE_RESIZE_CAPACITY]: null } },
      });
    }
  }

  private condition(type: string, message?: string): WireCondition {
    return {
      type,
      status: 'True',
      lastTransitionTime: formatTime(this.deps.scheduler.now()),
      ...(message ? { message } : {}),
    };
  }

  /** A merge patch of `/status`, guarded by the claim's resourceVersion unless `guard` is false. */
  private patchClaimStatus(
    claim: V1PersistentVolumeClaim,
    status: object,
    guard = true,
  ): Promise<V1PersistentVolumeClaim> {
    return this.deps.kube.storage.claims.patchStatus(
      claim.metadata?.namespace ?? '',
      claim.metadata?.name ?? '',
      {
        ...(guard ? { metadata: { resourceVersion: claim.metadata?.resourceVersion } } : {}),
        status,
      },
    );
  }
}

import { ANN_STORAGE_RESIZER } from '@app/csi';
import {
  Controller,
  EventType,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type {
  InformerAdapter,
  KubeRest,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
} from '@app/kube-client';
import { requestedBytes } from '../persistentvolume/volume-matching';
import { quantityValue } from '@app/csi';

const capacityOf = (claim: PersistentVolumeClaimObject): bigint => {
  try {
    return quantityValue(String(claim.status?.capacity?.storage ?? '0'));
  } catch {
    return 0n;
  }
};

export interface ExpandControllerDeps {
  rest: KubeRest;
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  volumes: InformerAdapter<PersistentVolumeObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * upstream pkg/controller/volume/expand (`persistentvolume-expander`) for CSI volumes: a bound
 * claim asking for more than it has is handed to the driver's external resizer — the claim is
 * annotated `volume.kubernetes.io/storage-resizer: <driver>` and gets the `ExternalExpanding`
 * event. The resizing itself is the resizer's (the CCM's `csi-resizer`).
 */
export class ExpandController {
  private readonly controller: Controller;
  /** The request last announced per claim, so one expansion gets one event. */
  private readonly announced = new Map<string, bigint>();

  constructor(private readonly deps: ExpandControllerDeps) {
    this.controller = new Controller({
      name: 'persistentvolume-expander',
      queueName: 'volume_expand',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.volumes],
    });
    this.controller.watch(deps.claims, {
      add: (c) => requestedBytes(c) > capacityOf(c),
      update: (_old, c) => requestedBytes(c) > capacityOf(c),
      delete: false,
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const claim = this.deps.claims.get(key);
    const requested = claim ? requestedBytes(claim) : 0n;
    if (!claim || claim.status?.phase !== 'Bound' || requested <= capacityOf(claim)) {
      this.announced.delete(key);
      return;
    }
    const driver = this.deps.volumes.get(claim.spec?.volumeName ?? '')?.spec?.csi?.driver;
    if (!driver) {
      return; // no in-tree expansion here: only CSI volumes are expanded
    }
    if (this.announced.get(key) !== requested) {
      this.announced.set(key, requested);
      this.deps.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: claim.metadata?.namespace,
          name: claim.metadata?.name,
          uid: claim.metadata?.uid,
        },
        EventType.Normal,
        'ExternalExpanding',
        'waiting for an external controller to expand this PVC',
      );
    }
    if (claim.metadata?.annotations?.[ANN_STORAGE_RESIZER] !== driver) {
      await this.deps.rest.patch(
        `/api/v1/namespaces/${encodeURIComponent(claim.metadata?.namespace ?? '')}/persistentvolumeclaims/${encodeURIComponent(claim.metadata?.name ?? '')}`,
        { metadata: { annotations: { [ANN_STORAGE_RESIZER]: driver } } },
        'merge',
      );
    }
  }
}

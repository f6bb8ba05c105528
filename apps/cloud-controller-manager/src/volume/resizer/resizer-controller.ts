import { ANN_STORAGE_RESIZER, quantityValue } from '@app/csi';
import {
  Controller,
  ItemExponentialFailureRateLimiter,
  type Logger,
} from '@app/controller-runtime';
import type { V1PersistentVolumeClaim } from '@app/kube-client';
import type { Registry } from 'prom-client';
import {
  RETRY_INTERVAL_MAX_MS,
  RETRY_INTERVAL_START_MS,
} from '../provisioner/provisioner-controller';
import { ClaimResizer, type ClaimResizerDeps } from './claim-resizer';

export interface ResizerControllerDeps extends ClaimResizerDeps {
  logger: Logger;
  registry: Registry;
  /** `--workers` (upstream default 10). */
  workers: number;
}

const bytes = (text: string | undefined): bigint => {
  try {
    return text === undefined ? 0n : quantityValue(text);
  } catch {
    return 0n;
  }
};

/**
 * external-resizer's updatePVC filter: a larger (or, with recovery, changed) request, a new
 * resizer annotation, a resync, a grown capacity (the node finished) or a new resize status.
 * Label or annotation edits alone do not start anything.
 */
export function shouldEnqueueClaimUpdate(
  oldClaim: V1PersistentVolumeClaim,
  newClaim: V1PersistentVolumeClaim,
): boolean {
  const request = (c: V1PersistentVolumeClaim) => bytes(c.spec?.resources?.requests?.storage);
  const capacity = (c: V1PersistentVolumeClaim) => bytes(c.status?.capacity?.storage);
  const resizer = (c: V1PersistentVolumeClaim) => c.metadata?.annotations?.[ANN_STORAGE_RESIZER];
  const resizeStatus = (c: V1PersistentVolumeClaim) => c.status?.allocatedResourceStatuses?.storage;
  return (
    request(newClaim) !== request(oldClaim) ||
    resizer(newClaim) !== resizer(oldClaim) ||
    newClaim.metadata?.resourceVersion === oldClaim.metadata?.resourceVersion ||
    capacity(newClaim) > capacity(oldClaim) ||
    resizeStatus(newClaim) !== resizeStatus(oldClaim)
  );
}

/** The resize controller: one queue of claims (`namespace/name`), 1 s → 5 min backoff. */
export class ResizerController {
  private readonly controller: Controller;

  constructor(deps: ResizerControllerDeps) {
    const resizer = new ClaimResizer(deps);
    this.controller = new Controller({
      name: 'csi-resizer',
      queueName: 'csi-resizer',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(
        RETRY_INTERVAL_START_MS,
        RETRY_INTERVAL_MAX_MS,
      ),
      reconcile: (key) => resizer.sync(key),
      waitFor: [deps.persistentVolumes],
    });
    this.controller.watch(deps.claims, { update: shouldEnqueueClaimUpdate, delete: false });
  }

  start(): Promise<boolean> {
    return this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }
}

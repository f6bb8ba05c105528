import { FINALIZER_PV_PROTECTION } from '@app/csi';
import { Controller, type Logger, type Scheduler } from '@app/controller-runtime';
import type { InformerAdapter, KubeRest, PersistentVolumeObject } from '@app/kube-client';
import { hasFinalizer, setFinalizer } from './finalizers';

export interface PvProtectionDeps {
  rest: KubeRest;
  volumes: InformerAdapter<PersistentVolumeObject>;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * upstream pkg/controller/volume/pvprotection (`pv-protection-controller`): keeps the
 * `kubernetes.io/pv-protection` finalizer on every volume, and removes it from a volume being
 * deleted once it is no longer Bound to a claim.
 */
export class PvProtectionController {
  private readonly controller: Controller;

  constructor(private readonly deps: PvProtectionDeps) {
    this.controller = new Controller({
      name: 'pv-protection-controller',
      queueName: 'pvprotection',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
    });
    this.controller.watch(deps.volumes, { delete: false });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async sync(name: string): Promise<void> {
    const pv = this.deps.volumes.get(name);
    if (!pv) {
      return;
    }
    const path = `/api/v1/persistentvolumes/${encodeURIComponent(name)}`;
    const protectedNow = hasFinalizer(pv, FINALIZER_PV_PROTECTION);
    if (!pv.metadata?.deletionTimestamp) {
      if (!protectedNow) {
        await setFinalizer(this.deps.rest, path, pv, FINALIZER_PV_PROTECTION, true);
      }
      return;
    }
    if (protectedNow && pv.status?.phase !== 'Bound') {
      await setFinalizer(this.deps.rest, path, pv, FINALIZER_PV_PROTECTION, false);
    }
  }
}

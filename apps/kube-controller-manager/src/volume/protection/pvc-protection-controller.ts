import { FINALIZER_PVC_PROTECTION } from '@app/csi';
import {
  Controller,
  isDeletedFinalStateUnknown,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type {
  InformerAdapter,
  KubeRest,
  PersistentVolumeClaimObject,
  PodObject,
} from '@app/kube-client';
import { hasFinalizer, setFinalizer } from './finalizers';

export interface PvcProtectionDeps {
  rest: KubeRest;
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  scheduler: Scheduler;
  logger: Logger;
}

/** The claims a pod names in its volumes. */
const claimNamesOf = (pod: PodObject): string[] =>
  (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );

/**
 * upstream pkg/controller/volume/pvcprotection (`pvc-protection-controller`): keeps the
 * `kubernetes.io/pvc-protection` finalizer on every claim, and removes it from a claim being
 * deleted once no scheduled pod names it any more — so a claim in use stays `Terminating`.
 */
export class PvcProtectionController {
  private readonly controller: Controller;

  constructor(private readonly deps: PvcProtectionDeps) {
    this.controller = new Controller({
      name: 'pvc-protection-controller',
      queueName: 'pvcprotection',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.pods],
    });
    this.controller.watch(deps.claims, { delete: false });
    // A pod going away may free the claims it used.
    const enqueueClaimsOf = (pod: PodObject) => {
      for (const name of claimNamesOf(pod)) {
        this.controller.enqueueKey(`${pod.metadata?.namespace ?? ''}/${name}`);
      }
    };
    deps.pods.addEventHandler({
      onUpdate: (_old, pod) => enqueueClaimsOf(pod),
      onDelete: (obj) => enqueueClaimsOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
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
    if (!claim) {
      return;
    }
    const ns = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(name)}`;
    const protectedNow = hasFinalizer(claim, FINALIZER_PVC_PROTECTION);
    if (!claim.metadata?.deletionTimestamp) {
      if (!protectedNow) {
        await setFinalizer(this.deps.rest, path, claim, FINALIZER_PVC_PROTECTION, true);
      }
      return;
    }
    if (protectedNow && !this.inUse(ns, name)) {
      await setFinalizer(this.deps.rest, path, claim, FINALIZER_PVC_PROTECTION, false);
    }
  }

  /** podUsesPVC: a scheduled pod of the namespace names the claim. */
  private inUse(namespace: string, claim: string): boolean {
    return this.deps.podsByNamespace
      .byIndex(namespace)
      .some((pod) => !!pod.spec?.nodeName && claimNamesOf(pod).includes(claim));
  }
}

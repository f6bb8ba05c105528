import type { Volumes } from '@app/cloud-provider';
import {
  Controller,
  ItemExponentialFailureRateLimiter,
  errorMessage,
  isDeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type {
  InformerAdapter,
  KubeClient,
  V1CSINode,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
  V1VolumeAttachment,
} from '@app/kube-client';
import type { Registry } from 'prom-client';
import { ClaimProvisioner } from './provision-claim';
import { ProvisioningError, StopProvisioning } from './provisioning-state';
import { VolumeDeleter } from './volume-deleter';

/** `--retry-interval-start` / `--retry-interval-max` of csi-provisioner. */
export const RETRY_INTERVAL_START_MS = 1_000;
export const RETRY_INTERVAL_MAX_MS = 5 * 60_000;

export interface ProvisionerControllerDeps {
  volumes: Volumes;
  driver: string;
  identity: string;
  kube: KubeClient;
  claims: InformerAdapter<V1PersistentVolumeClaim>;
  persistentVolumes: InformerAdapter<V1PersistentVolume>;
  storageClasses: InformerAdapter<V1StorageClass>;
  csiNodes: InformerAdapter<V1CSINode>;
  nodes: InformerAdapter<V1Node>;
  volumeAttachments: InformerAdapter<V1VolumeAttachment>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
  workers: number;
}

const keyOf = (claim: V1PersistentVolumeClaim) =>
  `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;

/**
 * external-provisioner: a claim queue keyed by claim UID (so a claim deleted and re-created under
 * the same name is a new claim) and a volume queue keyed by PV name. A claim whose CreateVolume
 * may still be running in the cloud is kept "in progress" and retried even after the claim is
 * deleted, so the volume is never leaked: its PV is then released and deleted.
 */
export class ProvisionerController {
  private readonly claimController: Controller;
  private readonly volumeController: Controller;
  private readonly provisioner: ClaimProvisioner;
  private readonly deleter: VolumeDeleter;
  /** Claim UID → `namespace/name` in the claim cache. */
  private readonly claimKeys = new Map<string, string>();
  /** Claims whose provisioning may be running in the background (claimsInProgress). */
  private readonly inProgress = new Map<string, V1PersistentVolumeClaim>();

  constructor(private readonly deps: ProvisionerControllerDeps) {
    this.provisioner = new ClaimProvisioner(deps);
    this.deleter = new VolumeDeleter(deps);
    const rateLimiter = () =>
      new ItemExponentialFailureRateLimiter<string>(RETRY_INTERVAL_START_MS, RETRY_INTERVAL_MAX_MS);
    this.claimController = new Controller({
      name: 'csi-provisioner',
      queueName: 'claims',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      rateLimiter: rateLimiter(),
      reconcile: (uid) => this.syncClaim(uid),
      waitFor: [
        deps.claims,
        deps.persistentVolumes,
        deps.storageClasses,
        deps.csiNodes,
        deps.nodes,
      ],
    });
    this.volumeController = new Controller({
      name: 'csi-provisioner-volumes',
      queueName: 'volumes',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      rateLimiter: rateLimiter(),
      reconcile: (name) => this.deleter.sync(name),
      waitFor: [deps.volumeAttachments],
    });
    deps.claims.addEventHandler({
      onAdd: (claim) => this.claimSeen(claim),
      onUpdate: (_old, claim) => this.claimSeen(claim),
      onDelete: (obj) => {
        const claim = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        const uid = claim.metadata?.uid ?? '';
        if (this.claimKeys.get(uid) === keyOf(claim)) {
          this.claimKeys.delete(uid);
        }
      },
    });
    this.volumeController.watch(deps.persistentVolumes, { delete: false });
  }

  async start(): Promise<void> {
    await Promise.all([this.claimController.start(), this.volumeController.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.claimController.stop(), this.volumeController.stop()]);
  }

  private claimSeen(claim: V1PersistentVolumeClaim): void {
    const uid = claim.metadata?.uid;
    if (!uid) {
      return;
    }
    this.claimKeys.set(uid, keyOf(claim));
    this.claimController.enqueueKey(uid);
  }

  private async syncClaim(uid: string): Promise<{ requeueAfter: number } | void> {
    const key = this.claimKeys.get(uid);
    const cached = key ? this.deps.claims.get(key) : undefined;
    const claim = cached?.metadata?.uid === uid ? cached : this.inProgress.get(uid);
    if (!claim) {
      return; // deleted, and nothing of it is in flight
    }
    const wait = this.provisioner.slowRetryRemaining(claim);
    if (wait > 0) {
      return { requeueAfter: wait };
    }
    if (!this.provisioner.shouldProvision(claim)) {
      return;
    }
    try {
      await this.provisioner.provision(claim);
      this.inProgress.delete(uid);
    } catch (err) {
      if (err instanceof StopProvisioning) {
        this.inProgress.delete(uid);
        this.deps.logger.debug({ claim: keyOf(claim), reason: err.message }, 'Stop provisioning');
        return;
      }
      const state = err instanceof ProvisioningError ? err.state : 'NoChange';
      if (state === 'InBackground') {
        this.inProgress.set(uid, claim);
      } else if (state === 'Finished') {
        this.inProgress.delete(uid);
      }
      throw new Error(`error syncing claim "${uid}": ${errorMessage(err)}`, { cause: err });
    }
  }
}

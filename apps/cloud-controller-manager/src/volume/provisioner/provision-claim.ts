import type { Volumes, VolumeMode } from '@app/cloud-provider';
import {
  ANN_SELECTED_NODE,
  claimClass,
  claimProvisioner,
  provisionedVolumeName,
  quantityValue,
} from '@app/csi';
import {
  EventType,
  errorMessage,
  objectReference,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  statusCodeOf,
  type InformerAdapter,
  type KubeClient,
  type V1CSINode,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from '@app/kube-client';
import { persistentVolumeFor } from './persistent-volume';
import {
  ProvisioningError,
  StopProvisioning,
  isInfeasible,
  stateAfterCreateError,
  type ProvisioningState,
} from './provisioning-state';
import { accessibilityRequirements } from './topology-requirement';

const CSI_PARAMETER_PREFIX = 'csi.storage.k8s.io/';
const FSTYPE_KEY = `${CSI_PARAMETER_PREFIX}fstype`;
/** Parameters external-provisioner itself reads (secrets); anything else prefixed is an error. */
const KNOWN_PREFIXED = new Set([
  FSTYPE_KEY,
  ...[
    'provisioner',
    'controller-publish',
    'node-stage',
    'node-publish',
    'controller-expand',
    'node-expand',
  ].flatMap((s) => [
    `${CSI_PARAMETER_PREFIX}${s}-secret-name`,
    `${CSI_PARAMETER_PREFIX}${s}-secret-namespace`,
  ]),
]);

/** `--retry-interval-max`: how long infeasible claims wait before the next attempt. */
export const SLOW_RETRY_MS = 5 * 60_000;

export interface ClaimProvisionerDeps {
  volumes: Volumes;
  driver: string;
  /** `<unix ms>-<random>-<driver>`: the PV's `storage.kubernetes.io/csiProvisionerIdentity`. */
  identity: string;
  kube: KubeClient;
  persistentVolumes: InformerAdapter<V1PersistentVolume>;
  storageClasses: InformerAdapter<V1StorageClass>;
  csiNodes: InformerAdapter<V1CSINode>;
  nodes: InformerAdapter<V1Node>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
}

export const claimRef = (claim: V1PersistentVolumeClaim) =>
  objectReference(claim, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' });

const claimKey = (claim: V1PersistentVolumeClaim) =>
  `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;

/**
 * One claim's provisioning, as sig-storage-lib-external-provisioner's provisionClaimOperation
 * with external-provisioner's csiProvisioner.Provision: the decision (shouldProvision), the
 * events, CreateVolume with topology, the PV, and what a failure means for the next attempt.
 */
export class ClaimProvisioner {
  /** Claim UID → when an infeasible claim may be tried again (and for which class UID). */
  private readonly slow = new Map<string, { until: number; classUid?: string }>();

  constructor(private readonly deps: ClaimProvisionerDeps) {}

  /** Milliseconds until an infeasible claim may be retried (0 = now); a changed class resets it. */
  slowRetryRemaining(claim: V1PersistentVolumeClaim): number {
    const uid = claim.metadata?.uid ?? '';
    const entry = this.slow.get(uid);
    if (!entry) {
      return 0;
    }
    const storageClass = this.deps.storageClasses.get(claimClass(claim));
    if (storageClass && storageClass.metadata?.uid !== entry.classUid) {
      this.slow.delete(uid);
      return 0;
    }
    const remaining = entry.until - this.deps.scheduler.now();
    if (remaining <= 0) {
      this.slow.delete(uid);
    }
    return Math.max(0, remaining);
  }

  /** shouldProvision: unbound, annotated for this driver, and a node chosen when binding waits. */
  shouldProvision(claim: V1PersistentVolumeClaim): boolean {
    if (claim.spec?.volumeName) {
      return false;
    }
    if (claimProvisioner(claim) !== this.deps.driver) {
      return false;
    }
    const storageClass = this.requireClass(claim);
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer') {
      return (claim.metadata?.annotations?.[ANN_SELECTED_NODE] ?? '') !== '';
    }
    return true;
  }

  /**
   * Provisions the claim. Resolves when the PV exists; throws StopProvisioning when there is
   * nothing to do, or a ProvisioningError whose state tells the caller how to retry.
   */
  async provision(claim: V1PersistentVolumeClaim): Promise<void> {
    const { deps } = this;
    const pvName = provisionedVolumeName(claim);
    if (deps.persistentVolumes.get(pvName)) {
      throw new StopProvisioning(`PersistentVolume ${pvName} already exists`);
    }
    const storageClass = this.requireClass(claim, 'Finished');
    if (storageClass.provisioner !== deps.driver) {
      throw new StopProvisioning(`claim's class asks for provisioner ${storageClass.provisioner}`);
    }
    const selectedNode = claim.metadata?.annotations?.[ANN_SELECTED_NODE] ?? '';
    const ref = claimRef(claim);
    deps.recorder.event(
      ref,
      EventType.Normal,
      'Provisioning',
      `External provisioner is provisioning volume for claim "${claimKey(claim)}"`,
    );
    let volume;
    let fsType: string;
    try {
      const prepared = this.prepare(claim, storageClass, selectedNode);
      fsType = prepared.fsType;
      try {
        volume = await deps.volumes.createVolume({
          name: pvName,
          requiredBytes: prepared.requiredBytes,
          parameters: prepared.parameters,
          accessModes: claim.spec?.accessModes ?? [],
          volumeMode: (claim.spec?.volumeMode as VolumeMode | undefined) ?? 'Filesystem',
          accessibilityRequirements: prepared.requirements,
          idempotencyKey: claim.metadata?.uid,
          metadata: {
            pvcName: claim.metadata?.name,
            pvcNamespace: claim.metadata?.namespace,
            pvName,
          },
        });
      } catch (err) {
        throw new ProvisioningError(
          errorMessage(err),
          stateAfterCreateError(err, selectedNode !== ''),
          {
            cause: err,
          },
        );
      }
    } catch (err) {
      return this.failed(claim, err);
    }
    const pv = persistentVolumeFor({
      claim,
      storageClass,
      volume,
      driver: deps.driver,
      identity: deps.identity,
      fsType,
    });
    await this.store(claim, pv);
  }

  /** prepareProvision: everything checked before the cloud is called. */
  private prepare(
    claim: V1PersistentVolumeClaim,
    storageClass: V1StorageClass,
    selectedNode: string,
  ) {
    if (claim.spec?.selector) {
      throw new ProvisioningError('claim Selector is not supported', 'Finished');
    }
    const source = claim.spec?.dataSourceRef ?? claim.spec?.dataSource;
    if (source) {
      throw new ProvisioningError(
        `the CSI driver ${this.deps.driver} cannot provision from a data source (${source.kind} ${source.name}): it supports neither snapshots nor clones`,
        'Finished',
      );
    }
    const parameters: Record<string, string> = {};
    let fsType = '';
    let fsTypes = 0;
    for (const [key, value] of Object.entries(storageClass.parameters ?? {})) {
      if (key === FSTYPE_KEY || key.toLowerCase() === 'fstype') {
        fsType = value;
        fsTypes++;
      }
      if (key.startsWith(CSI_PARAMETER_PREFIX)) {
        if (!KNOWN_PREFIXED.has(key)) {
          throw new ProvisioningError(
            `failed to strip CSI Parameters of prefixed keys: found unknown parameter key "${key}" with reserved namespace ${CSI_PARAMETER_PREFIX}`,
            'Finished',
          );
        }
        continue;
      }
      parameters[key] = value;
    }
    if (fsTypes > 1) {
      throw new ProvisioningError(
        `fstype specified in parameters with both "fstype" and "${FSTYPE_KEY}" keys`,
        'Finished',
      );
    }
    let requiredBytes: bigint;
    try {
      requiredBytes = quantityValue(claim.spec?.resources?.requests?.storage ?? '0');
    } catch (err) {
      throw new ProvisioningError(errorMessage(err), 'Finished');
    }
    const { deps } = this;
    const requirements = accessibilityRequirements({
      driver: deps.driver,
      claimName: claim.metadata?.name ?? '',
      allowedTopologies: storageClass.allowedTopologies,
      selectedNode: selectedNode || undefined,
      csiNode: (name) => deps.csiNodes.get(name),
      csiNodes: () => deps.csiNodes.list(),
      node: (name) => deps.nodes.get(name),
      nodes: () => deps.nodes.list(),
    });
    return { parameters, fsType, requiredBytes, requirements };
  }

  /** provisionVolumeErrorHandling: the event, a reschedule when asked, the retry state. */
  private async failed(claim: V1PersistentVolumeClaim, err: unknown): Promise<never> {
    const { deps } = this;
    const ref = claimRef(claim);
    const state: ProvisioningState = err instanceof ProvisioningError ? err.state : 'NoChange';
    if (isInfeasible(err)) {
      const storageClass = deps.storageClasses.get(claimClass(claim));
      this.slow.set(claim.metadata?.uid ?? '', {
        until: deps.scheduler.now() + SLOW_RETRY_MS,
        classUid: storageClass?.metadata?.uid,
      });
      deps.recorder.event(
        ref,
        EventType.Warning,
        'ProvisioningFailed',
        `Volume provisioning failed with infeasible error. Retries will be delayed. ${errorMessage(err)}`,
      );
      throw new ProvisioningError(errorMessage(err), 'Finished', { cause: err });
    }
    deps.recorder.event(ref, EventType.Warning, 'ProvisioningFailed', errorMessage(err));
    if (state === 'Reschedule' && claim.metadata?.annotations?.[ANN_SELECTED_NODE] !== undefined) {
      try {
        await this.removeSelectedNode(claim);
      } catch (removeErr) {
        deps.logger.info(
          { claim: claimKey(claim), err: errorMessage(removeErr) },
          'Volume rescheduling failed',
        );
        throw new ProvisioningError(errorMessage(err), 'Finished', { cause: err });
      }
      throw new StopProvisioning(`rescheduled: ${errorMessage(err)}`);
    }
    throw new ProvisioningError(errorMessage(err), state === 'Reschedule' ? 'Finished' : state, {
      cause: err,
    });
  }

  /**
   * rescheduleProvisioning: the scheduler picks another node once the annotation is gone. Upstream
   * PUTs the cached claim; a JSON patch guarded by the same resourceVersion has the same effect
   * (a stale copy fails with a conflict) without rewriting the rest of the object.
   */
  private async removeSelectedNode(claim: V1PersistentVolumeClaim): Promise<void> {
    const escaped = ANN_SELECTED_NODE.replace(/~/g, '~0').replace(/\//g, '~1');
    await this.deps.kube.storage.claims.patch(
      claim.metadata?.namespace ?? '',
      claim.metadata?.name ?? '',
      [
        { op: 'test', path: '/metadata/resourceVersion', value: claim.metadata?.resourceVersion },
        { op: 'remove', path: `/metadata/annotations/${escaped}` },
      ],
      'json',
    );
  }

  /** The volume store: create the PV (an existing one counts), then ProvisioningSucceeded. */
  private async store(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): Promise<void> {
    try {
      await this.deps.kube.storage.volumes.create(pv);
    } catch (err) {
      if (statusCodeOf(err) !== 409) {
        throw new ProvisioningError(
          `error saving volume ${pv.metadata?.name}: ${errorMessage(err)}`,
          'InBackground',
          {
            cause: err,
          },
        );
      }
    }
    this.deps.recorder.event(
      claimRef(claim),
      EventType.Normal,
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${pv.metadata?.name}`,
    );
  }

  private requireClass(
    claim: V1PersistentVolumeClaim,
    state: ProvisioningState = 'NoChange',
  ): V1StorageClass {
    const name = claimClass(claim);
    const storageClass = this.deps.storageClasses.get(name);
    if (!storageClass) {
      throw new ProvisioningError(`storageClass "${name}" not found`, state);
    }
    return storageClass;
  }
}

import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
} from '@app/csi';
import {
  Controller,
  EventType,
  isDeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type KubeRest,
  type PersistentVolumeClaimObject,
  type PersistentVolumeObject,
  type StorageClassObject,
} from '@app/kube-client';
import {
  capacityBytes,
  findBestMatchForClaim,
  isVolumeBoundToClaim,
  requestedBytes,
  volumeClass,
} from './volume-matching';

/** upstream --pvclaimbinder-sync-period: every claim and volume is synced this often. */
export const PV_CLAIM_BINDER_SYNC_PERIOD_MS = 15_000;
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export interface PersistentVolumeControllerDeps {
  rest: KubeRest;
  claims: InformerAdapter<PersistentVolumeClaimObject>;
  volumes: InformerAdapter<PersistentVolumeObject>;
  classes: InformerAdapter<StorageClassObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
}

const claimPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(name)}`;
const volumePath = (name: string) => `/api/v1/persistentvolumes/${encodeURIComponent(name)}`;

/**
 * upstream pkg/controller/volume/persistentvolume (`persistentvolume-binder`): binds claims to
 * volumes (pre-provisioned ones by size, access modes, class, selector and `volumeName`; dynamically
 * provisioned ones pre-bound by their provisioner), hands dynamic provisioning to the external
 * provisioner named by the class (`volume.kubernetes.io/storage-provisioner`), waits for the
 * scheduler's `selected-node` under WaitForFirstConsumer, and moves volumes whose claim is gone
 * to Released (then Delete is the external provisioner's job, Retain keeps them).
 */
export class PersistentVolumeController {
  private readonly claimController: Controller;
  private readonly volumeController: Controller;

  constructor(private readonly deps: PersistentVolumeControllerDeps) {
    this.claimController = new Controller({
      name: 'persistentvolume-binder-claims',
      queueName: 'claims',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.syncClaim(key),
      waitFor: [deps.volumes, deps.classes],
      periodics: [
        {
          name: 'pv-controller-resync',
          periodMs: PV_CLAIM_BINDER_SYNC_PERIOD_MS,
          run: () => this.resync(),
        },
      ],
    });
    this.volumeController = new Controller({
      name: 'persistentvolume-binder-volumes',
      queueName: 'volumes',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.syncVolume(key),
      waitFor: [deps.claims],
    });
    this.claimController.watch(deps.claims, { delete: false });
    this.volumeController.watch(deps.volumes);
    // A deleted claim releases its volume; a volume's change may finish its claim's binding.
    deps.claims.addEventHandler({
      onDelete: (obj) => {
        const claim = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        if (claim.spec?.volumeName) {
          this.volumeController.enqueueKey(claim.spec.volumeName);
        }
      },
    });
    deps.volumes.addEventHandler({
      onAdd: (pv) => this.enqueueClaimOf(pv),
      onUpdate: (_old, pv) => this.enqueueClaimOf(pv),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.claimController.start(), this.volumeController.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.claimController.stop(), this.volumeController.stop()]);
  }

  private enqueueClaimOf(pv: PersistentVolumeObject): void {
    const ref = pv.spec?.claimRef;
    if (ref?.name && ref.namespace) {
      this.claimController.enqueueKey(`${ref.namespace}/${ref.name}`);
    }
  }

  private resync(): void {
    for (const claim of this.deps.claims.list()) {
      this.claimController.enqueue(claim);
    }
    for (const pv of this.deps.volumes.list()) {
      this.volumeController.enqueue(pv);
    }
  }

  // --- claims ----------------------------------------------------------------------------

  private async syncClaim(key: string): Promise<void> {
    const claim = this.deps.claims.get(key);
    if (!claim) {
      return;
    }
    if (claim.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined) {
      await this.syncUnboundClaim(claim);
    } else {
      await this.syncBoundClaim(claim);
    }
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaimObject): Promise<void> {
    const wanted = claim.spec?.volumeName;
    if (!wanted) {
      const delayBinding = this.isDelayBinding(claim);
      const pv = findBestMatchForClaim(claim, this.deps.volumes.list(), delayBinding);
      if (pv) {
        await this.bind(pv, claim);
        return;
      }
      if (delayBinding && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) {
        this.claimEvent(
          claim,
          EventType.Normal,
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
      } else if (claimClass(claim) === '') {
        this.claimEvent(
          claim,
          EventType.Normal,
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set',
        );
      } else {
        await this.provisionClaim(claim);
      }
      await this.setClaimPhase(claim, 'Pending');
      return;
    }
    // The user asked for a particular volume (spec.volumeName).
    const pv = this.deps.volumes.get(wanted);
    if (!pv) {
      await this.setClaimPhase(claim, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, claim)) {
      const mismatch = this.mismatch(pv, claim);
      if (mismatch) {
        this.claimEvent(
          claim,
          EventType.Warning,
          'VolumeMismatch',
          `Cannot bind to requested volume "${wanted}": ${mismatch}`,
        );
        await this.setClaimPhase(claim, 'Pending');
        return;
      }
      await this.bind(pv, claim);
      return;
    }
    this.claimEvent(
      claim,
      EventType.Warning,
      'FailedBinding',
      `volume "${wanted}" already bound to a different claim.`,
    );
    await this.setClaimPhase(claim, 'Pending');
  }

  private async syncBoundClaim(claim: PersistentVolumeClaimObject): Promise<void> {
    const name = claim.spec?.volumeName;
    if (!name) {
      await this.claimLost(
        claim,
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
      );
      return;
    }
    const pv = this.deps.volumes.get(name);
    if (!pv) {
      await this.claimLost(
        claim,
        'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
      );
      return;
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, claim)) {
      await this.bind(pv, claim);
      return;
    }
    await this.claimLost(
      claim,
      'Two claims are bound to the same volume, this one is bound incorrectly',
    );
  }

  /** checkVolumeSatisfyClaim for a volume the claim names. */
  private mismatch(
    pv: PersistentVolumeObject,
    claim: PersistentVolumeClaimObject,
  ): string | undefined {
    if (capacityBytes(pv) < requestedBytes(claim)) {
      return 'requested PV is too small';
    }
    if (volumeClass(pv) !== claimClass(claim)) {
      return 'storageClassName does not match';
    }
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) {
      return 'incompatible volumeMode';
    }
    const offered = pv.spec?.accessModes ?? [];
    if (!(claim.spec?.accessModes ?? []).every((m) => offered.includes(m))) {
      return 'incompatible accessMode';
    }
    return undefined;
  }

  private isDelayBinding(claim: PersistentVolumeClaimObject): boolean {
    const className = claimClass(claim);
    return (
      className !== '' &&
      this.deps.classes.get(className)?.volumeBindingMode === 'WaitForFirstConsumer'
    );
  }

  /**
   * provisionClaim for an external provisioner: name it on the claim (GA and beta annotations)
   * and say so in an event, on every sync until a volume appears.
   */
  private async provisionClaim(claim: PersistentVolumeClaimObject): Promise<void> {
    const className = claimClass(claim);
    const sc = this.deps.classes.get(className);
    if (!sc) {
      this.claimEvent(
        claim,
        EventType.Warning,
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
      return;
    }
    const provisioner = sc.provisioner;
    if (provisioner === NO_PROVISIONER) {
      this.claimEvent(
        claim,
        EventType.Warning,
        'ProvisioningFailed',
        `no volume plugin matched name: ${provisioner}`,
      );
      return;
    }
    const annotations = claim.metadata?.annotations ?? {};
    if (
      annotations[ANN_STORAGE_PROVISIONER] !== provisioner ||
      annotations[ANN_BETA_STORAGE_PROVISIONER] !== provisioner
    ) {
      await this.deps.rest.patch(
        claimPath(claim.metadata?.namespace ?? '', claim.metadata?.name ?? ''),
        {
          metadata: {
            annotations: {
              [ANN_STORAGE_PROVISIONER]: provisioner,
              [ANN_BETA_STORAGE_PROVISIONER]: provisioner,
            },
          },
        },
        'merge',
      );
    }
    this.claimEvent(
      claim,
      EventType.Normal,
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  /**
   * upstream bind(): the volume's claimRef (and `bound-by-controller` when this controller set
   * it), the volume Bound, the claim's `volumeName` and `bind-completed`, the claim Bound with
   * the volume's capacity and access modes. Each step is skipped when already done.
   */
  private async bind(
    pv: PersistentVolumeObject,
    claim: PersistentVolumeClaimObject,
  ): Promise<void> {
    const pvName = pv.metadata?.name ?? '';
    const ns = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    if (!pv.spec?.claimRef?.uid) {
      await this.deps.rest.patch(
        volumePath(pvName),
        {
          metadata: {
            resourceVersion: pv.metadata?.resourceVersion,
            annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' },
          },
          spec: {
            claimRef: {
              kind: 'PersistentVolumeClaim',
              apiVersion: 'v1',
              namespace: ns,
              name,
              uid: claim.metadata?.uid,
              resourceVersion: claim.metadata?.resourceVersion,
            },
          },
        },
        'merge',
      );
    }
    if (pv.status?.phase !== 'Bound') {
      await this.deps.rest.patch(
        `${volumePath(pvName)}/status`,
        { status: { phase: 'Bound' } },
        'merge',
      );
    }
    const annotations = claim.metadata?.annotations ?? {};
    if (claim.spec?.volumeName !== pvName || annotations[ANN_BIND_COMPLETED] !== 'yes') {
      const boundByController = claim.spec?.volumeName !== pvName;
      await this.deps.rest.patch(
        claimPath(ns, name),
        {
          metadata: {
            annotations: {
              [ANN_BIND_COMPLETED]: 'yes',
              ...(boundByController ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}),
            },
          },
          spec: { volumeName: pvName },
        },
        'merge',
      );
    }
    if (claim.status?.phase !== 'Bound') {
      // The capacity is the volume's until a resize records another.
      await this.deps.rest.patch(
        `${claimPath(ns, name)}/status`,
        {
          status: {
            phase: 'Bound',
            accessModes: pv.spec?.accessModes,
            capacity: claim.status?.capacity ?? pv.spec?.capacity,
          },
        },
        'merge',
      );
    }
  }

  private async claimLost(claim: PersistentVolumeClaimObject, message: string): Promise<void> {
    if (claim.status?.phase === 'Lost') {
      return;
    }
    this.claimEvent(claim, EventType.Warning, 'ClaimLost', message);
    await this.setClaimPhase(claim, 'Lost');
  }

  private async setClaimPhase(claim: PersistentVolumeClaimObject, phase: string): Promise<void> {
    if (claim.status?.phase === phase) {
      return;
    }
    await this.deps.rest.patch(
      `${claimPath(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '')}/status`,
      { status: { phase } },
      'merge',
    );
  }

  private claimEvent(
    claim: PersistentVolumeClaimObject,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.deps.recorder.event(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        resourceVersion: claim.metadata?.resourceVersion,
      },
      type,
      reason,
      message,
    );
  }

  // --- volumes ---------------------------------------------------------------------------

  private async syncVolume(name: string): Promise<void> {
    const pv = this.deps.volumes.get(name);
    if (!pv) {
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || !ref.uid) {
      // Unbound, or pre-bound by the user to a claim not bound yet.
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    const released = pv.status?.phase === 'Released' || pv.status?.phase === 'Failed';
    const claim = await this.currentClaim(ref.namespace ?? '', ref.name ?? '', ref.uid, !released);
    if (!claim) {
      if (!released) {
        await this.setVolumePhase(pv, 'Released');
      }
      await this.reclaimVolume(pv);
      return;
    }
    if (!claim.spec?.volumeName) {
      // Pre-bound (by the scheduler or a provisioner): the claim's sync finishes the binding.
      this.claimController.enqueue(claim);
      return;
    }
    if (claim.spec.volumeName === name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim is bound to another volume: this one was bound by mistake.
    if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes') {
      await this.deps.rest.patch(
        volumePath(name),
        {
          metadata: { annotations: { [ANN_BOUND_BY_CONTROLLER]: null } },
          spec: { claimRef: null },
        },
        'merge',
      );
      await this.setVolumePhase(pv, 'Available');
    }
  }

  /**
   * The claim a volume points at, or undefined when it is gone (or replaced by a new claim of
   * that name). A claim missing from the cache is looked up in the API (`askApi`) before the
   * volume is released, as upstream does: a stale cache must not release a bound volume.
   */
  private async currentClaim(
    namespace: string,
    name: string,
    uid: string,
    askApi: boolean,
  ): Promise<PersistentVolumeClaimObject | undefined> {
    let claim = this.deps.claims.get(`${namespace}/${name}`);
    if (!claim && askApi) {
      try {
        claim = await this.deps.rest.get<PersistentVolumeClaimObject>(claimPath(namespace, name));
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
      }
    }
    return claim?.metadata?.uid === uid ? claim : undefined;
  }

  /** reclaimVolume: Retain keeps it; Delete is the external provisioner's (or fails). */
  private async reclaimVolume(pv: PersistentVolumeObject): Promise<void> {
    if (pv.status?.phase === 'Failed') {
      return;
    }
    switch (pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Retain':
        return;
      case 'Delete':
        if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) {
          return; // the provisioner that made it deletes it (and the PV)
        }
        await this.failVolume(
          pv,
          'VolumeFailedDelete',
          `error getting deleter volume plugin for volume "${pv.metadata?.name}": no deletable volume plugin matched`,
        );
        return;
      case 'Recycle':
        await this.failVolume(
          pv,
          'VolumeFailedRecycle',
          'No recycler plugin found for the volume!',
        );
        return;
      default:
        await this.failVolume(
          pv,
          'VolumeUnknownReclaimPolicy',
          'Volume has unrecognized PersistentVolumeReclaimPolicy',
        );
    }
  }

  private async failVolume(
    pv: PersistentVolumeObject,
    reason: string,
    message: string,
  ): Promise<void> {
    this.deps.recorder.event(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        name: pv.metadata?.name,
        uid: pv.metadata?.uid,
      },
      EventType.Warning,
      reason,
      message,
    );
    await this.deps.rest.patch(
      `${volumePath(pv.metadata?.name ?? '')}/status`,
      { status: { phase: 'Failed', message } },
      'merge',
    );
  }

  private async setVolumePhase(pv: PersistentVolumeObject, phase: string): Promise<void> {
    if (pv.status?.phase === phase) {
      return;
    }
    await this.deps.rest.patch(
      `${volumePath(pv.metadata?.name ?? '')}/status`,
      { status: { phase } },
      'merge',
    );
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock, failedPrecondition } from '@app/common';
import type { InstanceVolumeDto } from '@app/cloud-contracts';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { assertIfMatch } from '../conventions/etag';
import { InstancesRepository, type InstanceRow } from '../instances/instances.repository';
import { InstancesService } from '../instances/instances.service';
import { OperationsService } from '../operations/operations.service';
import { QuotasService } from '../quotas/quotas.service';
import { TransitionDurations } from '../transitions/transition-durations';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { compareDevices, lowestFreeDevice } from './device-names';
import { toInstanceVolumeDto, volumeEtag } from './volume.mapper';
import { VolumeAttachmentsRepository, type AttachmentRow } from './volume-attachments.repository';
import { target, VolumesService, type VolumeMutation } from './volumes.service';
import { VolumesRepository, type VolumeRow } from './volumes.repository';

const ATTACHMENTS = 'attachmentsPerInstance';

/**
 * Attaching volumes to instances and detaching them. Each rule that refuses an attach answers
 * FAILED_PRECONDITION naming the rule. Attachments settle attaching → attached and
 * detaching → gone on the clock; a terminated instance loses its attachments at once.
 */
@Injectable()
export class VolumeAttachmentsService implements Settleable, OnModuleInit {
  constructor(
    private readonly attachments: VolumeAttachmentsRepository,
    private readonly volumes: VolumesService,
    private readonly volumeRows: VolumesRepository,
    private readonly instances: InstancesService,
    private readonly instanceRows: InstancesRepository,
    private readonly catalog: CatalogService,
    private readonly operations: OperationsService,
    private readonly durations: TransitionDurations,
    private readonly settler: TransitionSettler,
    private readonly quotas: QuotasService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
    this.instances.onTerminated((instance, at) => this.instanceTerminated(instance, at));
    // The per-instance quota never exceeds what the instance type can hold.
    this.quotas.capScope(ATTACHMENTS, (projectId, instanceId) => {
      const instance = this.instanceRows.find(projectId, instanceId);
      return (
        instance && this.catalog.instanceTypeOrUndefined(instance.instanceType)?.maxAttachedVolumes
      );
    });
  }

  attach(
    principal: Principal,
    volumeId: string,
    instanceId: string,
    ifMatch?: string,
  ): VolumeMutation {
    const { volume, instance, existing } = this.load(principal, volumeId, instanceId, ifMatch);
    if (existing?.state === 'detaching') {
      throw failedPrecondition(
        `the volume is still detaching from instance ${instanceId}; attach again once it is detached`,
      );
    }
    if (existing) {
      // Attaching or attached already: an idempotent no-op.
      return this.done(principal, volume, 'volumes.attach');
    }
    this.checkAttachRules(volume, instance);
    this.quotas.consume(volume.projectId, ATTACHMENTS, 1, instanceId);
    const now = this.clock.now();
    const duration = this.durations.of('volume', 'attaching');
    this.attachments.insert({
      volumeId,
      instanceId,
      projectId: volume.projectId,
      device: lowestFreeDevice(this.attachments.ofInstance(instanceId).map((a) => a.device)),
      state: 'attaching',
      transitionEndsAt: now + duration,
      createdAt: now,
    });
    this.changed(volume.projectId, volumeId, instanceId, now);
    const operation = this.operations.start(
      volume.projectId,
      'volumes.attach',
      target(volume),
      duration,
    );
    this.settleNowIfDue();
    return { volume: this.volumes.view(principal, volumeId), operation };
  }

  detach(
    principal: Principal,
    volumeId: string,
    instanceId: string,
    ifMatch?: string,
  ): VolumeMutation {
    const { volume, existing } = this.load(principal, volumeId, instanceId, ifMatch);
    if (!existing) {
      throw failedPrecondition(`the volume is not attached to instance ${instanceId}`);
    }
    if (existing.state === 'detaching') {
      return this.done(principal, volume, 'volumes.detach');
    }
    const now = this.clock.now();
    const duration = this.durations.of('volume', 'detaching');
    this.attachments.setState(volumeId, instanceId, 'detaching', now + duration);
    this.changed(volume.projectId, volumeId, instanceId, now);
    const operation = this.operations.start(
      volume.projectId,
      'volumes.detach',
      target(volume),
      duration,
    );
    this.settleNowIfDue();
    return { volume: this.volumes.view(principal, volumeId), operation };
  }

  /** Attachments of a page of instances, by instance id, in device order (one query). */
  volumesOfInstances(instanceIds: string[]): Map<string, InstanceVolumeDto[]> {
    const byInstance = new Map<string, InstanceVolumeDto[]>(instanceIds.map((id) => [id, []]));
    const rows = this.attachments.ofMany('instance', instanceIds);
    rows.sort((a, b) => compareDevices(a.device, b.device));
    for (const row of rows) {
      byInstance.get(row.instanceId)?.push(toInstanceVolumeDto(row));
    }
    return byInstance;
  }

  nextDueAt(): number | null {
    return this.attachments.nextDueAt();
  }

  hasDue(now: number): boolean {
    return this.attachments.hasDue(now);
  }

  settleDue(now: number): void {
    for (const a of this.attachments.due(now)) {
      const at = a.transitionEndsAt!;
      if (a.state === 'detaching') {
        this.remove(a, at);
      } else {
        this.attachments.setState(a.volumeId, a.instanceId, 'attached', null);
        this.changed(a.projectId, a.volumeId, a.instanceId, at);
      }
    }
  }

  /** Both ends (404 for either, e.g. another project's instance) and the attachment, if any. */
  private load(principal: Principal, volumeId: string, instanceId: string, ifMatch?: string) {
    const volume = this.volumes.get(principal, volumeId);
    assertIfMatch(ifMatch, volumeEtag(volume));
    const instance = this.instances.get(principal, instanceId);
    return { volume, instance, existing: this.attachments.find(volumeId, instanceId) };
  }

  /** The rules of attaching a volume that is not yet attached to this instance. */
  private checkAttachRules(volume: VolumeRow, instance: InstanceRow): void {
    if (volume.state === 'creating' || volume.state === 'deleting' || volume.state === 'error') {
      throw failedPrecondition(
        `only a created volume can be attached: volume ${volume.id} is "${volume.state}"`,
      );
    }
    if (volume.zone !== instance.zone) {
      throw failedPrecondition(
        `volume and instance must be in the same zone: volume ${volume.id} is in ${volume.zone}, instance ${instance.id} in ${instance.zone}`,
      );
    }
    if (instance.state !== 'running' && instance.state !== 'stopped') {
      throw failedPrecondition(
        `the instance must be running or stopped to attach a volume: instance ${instance.id} is "${instance.state}"`,
      );
    }
    const others = this.attachments.ofVolume(volume.id);
    if (!volume.multiAttach && others.length > 0) {
      throw failedPrecondition(
        `volume ${volume.id} is not multi-attach and is already attached to instance ${others[0].instanceId}`,
      );
    }
    const max =
      this.catalog.instanceTypeOrUndefined(instance.instanceType)?.maxAttachedVolumes ?? 0;
    if (this.attachments.ofInstance(instance.id).length >= max) {
      throw failedPrecondition(
        `max attached volumes reached: instance type ${instance.instanceType} allows at most ${max} attached volumes`,
      );
    }
  }

  /**
   * A terminated instance keeps no volumes: its attachments end at the instant it terminated,
   * and volumes created with deleteOnTermination that are left unattached start deleting.
   */
  private instanceTerminated(instance: InstanceRow, at: number): void {
    for (const a of this.attachments.ofInstance(instance.id)) {
      this.remove(a, at);
      const volume = this.volumeRows.find(a.projectId, a.volumeId);
      if (
        volume?.deleteOnTermination &&
        volume.state !== 'deleting' &&
        this.attachments.ofVolume(volume.id).length === 0
      ) {
        this.volumes.startDeletion(volume, at);
      }
    }
    // The settler chose its participants before this ran: settle what is already due now.
    this.settleNowIfDue();
    this.volumes.settleNowIfDue();
  }

  private remove(a: AttachmentRow, at: number): void {
    this.attachments.delete(a.volumeId, a.instanceId);
    this.quotas.release(a.projectId, ATTACHMENTS, 1, a.instanceId);
    this.changed(a.projectId, a.volumeId, a.instanceId, at);
  }

  /** An attachment changed: both the volume and the instance show it, so both etags move. */
  private changed(projectId: string, volumeId: string, instanceId: string, at: number): void {
    this.volumes.attachmentsChanged(projectId, volumeId, at);
    this.instanceRows.touch(instanceId, at);
  }

  private done(principal: Principal, volume: VolumeRow, kind: string): VolumeMutation {
    const operation = this.operations.start(volume.projectId, kind, target(volume), 0);
    return { volume: this.volumes.view(principal, volume.id), operation };
  }

  private settleNowIfDue(): void {
    this.settler.settleNow(this);
  }
}

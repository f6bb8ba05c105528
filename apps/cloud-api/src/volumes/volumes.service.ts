import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  invalidArgument,
  notFound,
} from '@app/common';
import type { CreateVolumeRequest, ListVolumesQuery } from '@app/cloud-contracts';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { assertIfMatch } from '../conventions/etag';
import { matchesLabelSelector, parseLabelSelector } from '../conventions/label-selector';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import { OperationsService } from '../operations/operations.service';
import type { OperationRow } from '../operations/operations.repository';
import { QuotasService } from '../quotas/quotas.service';
import { TransitionDurations } from '../transitions/transition-durations';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { volumeEtag, type VolumeView } from './volume.mapper';
import { stateFromAttachments } from './volume-state';
import { VolumeAttachmentsRepository } from './volume-attachments.repository';
import { VolumesRepository, type VolumeRow } from './volumes.repository';

export interface VolumeMutation {
  volume: VolumeView;
  operation: OperationRow;
}

/**
 * Volume rules except attachments (VolumeAttachmentsService). Mutations are synchronous and run
 * inside the MutationRunner's transaction; creating and deleting end when the clock says so.
 */
@Injectable()
export class VolumesService implements Settleable, OnModuleInit {
  constructor(
    private readonly volumes: VolumesRepository,
    private readonly attachments: VolumeAttachmentsRepository,
    private readonly catalog: CatalogService,
    private readonly operations: OperationsService,
    private readonly durations: TransitionDurations,
    private readonly settler: TransitionSettler,
    private readonly pageTokens: PageTokenCodec,
    private readonly quotas: QuotasService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
  }

  create(principal: Principal, req: CreateVolumeRequest): VolumeMutation {
    const region = this.catalog.requireZone(req.zone);
    const type =
      req.type === undefined
        ? this.catalog.defaultVolumeType()
        : this.catalog.requireVolumeType(req.type);
    if (req.sizeGiB < type.minSizeGiB || req.sizeGiB > type.maxSizeGiB) {
      throw invalidArgument(
        'sizeGiB',
        `volume type "${type.name}" allows ${type.minSizeGiB}..${type.maxSizeGiB} GiB`,
      );
    }
    if (req.multiAttach && !type.multiAttach) {
      throw invalidArgument(
        'multiAttach',
        `volume type "${type.name}" does not support multi-attach; see GET /v1/volume-types`,
      );
    }
    const projectId = principal.projectId;
    if (this.volumes.findLiveByName(projectId, req.name)) {
      throw alreadyExists(`a volume named "${req.name}" already exists in project ${projectId}`);
    }
    this.quotas.consume(projectId, 'volumes', 1);
    this.quotas.consume(projectId, 'volumeGiB', req.sizeGiB);
    const now = this.clock.now();
    const duration = this.durations.of('volume', 'creating');
    const row = this.volumes.insert({
      id: this.ids.next('vol'),
      projectId,
      name: req.name,
      zone: req.zone,
      region,
      type: type.name,
      sizeGiB: req.sizeGiB,
      multiAttach: req.multiAttach ?? false,
      deleteOnTermination: req.deleteOnTermination ?? false,
      state: 'creating',
      nextState: 'available',
      transitionEndsAt: now + duration,
      labels: JSON.stringify(req.labels ?? {}),
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const operation = this.operations.start(projectId, 'volumes.create', target(row), duration);
    this.settleNowIfDue();
    return { volume: this.view(principal, row.id), operation };
  }

  get(principal: Principal, id: string): VolumeRow {
    const row = this.volumes.find(principal.projectId, id);
    if (!row) {
      throw notFound('volume', id);
    }
    return row;
  }

  view(principal: Principal, id: string): VolumeView {
    const row = this.get(principal, id);
    return { row, attachments: this.attachments.ofVolume(id) };
  }

  list(principal: Principal, query: ListVolumesQuery): Page<VolumeView> {
    const selector = parseLabelSelector(query.labelSelector ?? '');
    const filter = {
      zone: query.zone,
      state: query.state,
      name: query.name,
      instanceId: query.instanceId,
    };
    const page = paginate(
      this.pageTokens,
      { ...query },
      (after, limit) => this.volumes.page(principal.projectId, filter, after, limit),
      selector.length === 0
        ? undefined
        : (row) => matchesLabelSelector(selector, JSON.parse(row.labels) as Record<string, string>),
    );
    const attachments = this.attachments.ofMany(
      'volume',
      page.items.map((row) => row.id),
    );
    return {
      items: page.items.map((row) => ({
        row,
        attachments: attachments.filter((a) => a.volumeId === row.id),
      })),
      nextPageToken: page.nextPageToken,
    };
  }

  updateLabels(
    principal: Principal,
    id: string,
    labels: Record<string, string>,
    ifMatch?: string,
  ): VolumeMutation {
    const row = this.mutable(principal, id, ifMatch, 'change labels of');
    this.volumes.setLabels(id, JSON.stringify(labels), this.clock.now());
    const operation = this.operations.start(row.projectId, 'volumes.update', target(row), 0);
    return { volume: this.view(principal, id), operation };
  }

  /** Grows a volume; the new size shows at once, the operation takes `volume.resizing`. */
  resize(principal: Principal, id: string, sizeGiB: number, ifMatch?: string): VolumeMutation {
    const row = this.mutable(principal, id, ifMatch, 'resize');
    if (row.state === 'creating') {
      throw failedPrecondition(
        'cannot resize a volume in state "creating": wait until it is available',
      );
    }
    if (sizeGiB < row.sizeGiB) {
      throw failedPrecondition(
        `volumes only grow: sizeGiB ${sizeGiB} is below the current ${row.sizeGiB} GiB`,
      );
    }
    if (sizeGiB === row.sizeGiB) {
      // Already that size: an idempotent no-op, like stopping a stopped instance.
      const operation = this.operations.start(row.projectId, 'volumes.resize', target(row), 0);
      return { volume: this.view(principal, id), operation };
    }
    const type = this.catalog.requireVolumeType(row.type);
    if (sizeGiB > type.maxSizeGiB) {
      throw invalidArgument(
        'sizeGiB',
        `volume type "${type.name}" allows at most ${type.maxSizeGiB} GiB`,
      );
    }
    this.quotas.consume(row.projectId, 'volumeGiB', sizeGiB - row.sizeGiB);
    this.volumes.setSize(id, sizeGiB, this.clock.now());
    const duration = this.durations.of('volume', 'resizing');
    const operation = this.operations.start(row.projectId, 'volumes.resize', target(row), duration);
    return { volume: this.view(principal, id), operation };
  }

  delete(principal: Principal, id: string, ifMatch?: string): VolumeMutation {
    const row = this.get(principal, id);
    assertIfMatch(ifMatch, volumeEtag(row));
    if (row.state === 'deleting') {
      const operation = this.operations.start(row.projectId, 'volumes.delete', target(row), 0);
      return { volume: this.view(principal, id), operation };
    }
    const attached = this.attachments.ofVolume(id);
    if (attached.length > 0) {
      throw failedPrecondition(
        `a volume with attachments cannot be deleted: detach it from ${attached.map((a) => a.instanceId).join(', ')} first`,
      );
    }
    const duration = this.startDeletion(row, this.clock.now());
    const operation = this.operations.start(row.projectId, 'volumes.delete', target(row), duration);
    // Read before settling: with 0 ms transitions the row is gone right after.
    const volume = this.view(principal, id);
    this.settleNowIfDue();
    return { volume, operation };
  }

  /** Starts deleting → gone at `at`; the name is free from now on. Returns the duration. */
  startDeletion(row: VolumeRow, at: number): number {
    const duration = this.durations.of('volume', 'deleting');
    this.volumes.setState(row.id, 'deleting', 'deleted', at + duration, at);
    return duration;
  }

  /** Re-derives the state after its attachments changed (and bumps the etag). */
  attachmentsChanged(projectId: string, id: string, at: number): void {
    const row = this.volumes.find(projectId, id);
    if (!row) {
      return;
    }
    const state =
      row.state === 'creating' || row.state === 'deleting'
        ? row.state
        : stateFromAttachments(this.attachments.ofVolume(id).map((a) => a.state));
    this.volumes.setState(id, state, row.nextState, row.transitionEndsAt, at);
  }

  nextDueAt(): number | null {
    return this.volumes.nextDueAt();
  }

  hasDue(now: number): boolean {
    return this.volumes.hasDue(now);
  }

  /** Ends every due transition at the instant it was due. */
  settleDue(now: number): void {
    for (const row of this.volumes.due(now)) {
      const at = row.transitionEndsAt!;
      if (row.nextState === 'deleted') {
        this.volumes.delete(row.id);
        this.quotas.release(row.projectId, 'volumes', 1);
        this.quotas.release(row.projectId, 'volumeGiB', row.sizeGiB);
      } else {
        this.volumes.setState(row.id, 'available', null, null, at);
      }
    }
  }

  /** With zero-length transitions the caller sees the settled state in the same response. */
  settleNowIfDue(): void {
    this.settler.settleNow(this);
  }

  private mutable(principal: Principal, id: string, ifMatch: string | undefined, verb: string) {
    const row = this.get(principal, id);
    assertIfMatch(ifMatch, volumeEtag(row));
    if (row.state === 'deleting') {
      throw failedPrecondition(`cannot ${verb} a volume in state "deleting"`);
    }
    return row;
  }
}

export function target(row: Pick<VolumeRow, 'id' | 'name'>) {
  return { type: 'volume', id: row.id, name: row.name };
}

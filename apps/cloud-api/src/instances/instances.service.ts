import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  notFound,
  parseDuration,
} from '@app/common';
import { CloudApiConfig } from '@app/config';
import type { CreateInstanceRequest, ListInstancesQuery } from '@app/cloud-contracts';
import { AddressAllocator, type AddressRange } from '../addresses/address-allocator';
import { intToIpv4, ipv4ToInt } from '../addresses/ipv4';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { assertIfMatch } from '../conventions/etag';
import { matchesLabelSelector, parseLabelSelector } from '../conventions/label-selector';
import { PageTokenCodec } from '../conventions/page-token';
import { QuotasService } from '../quotas/quotas.service';
import { paginate, type Page } from '../conventions/paginate';
import { OperationsService } from '../operations/operations.service';
import type { OperationRow } from '../operations/operations.repository';
import { TransitionDurations } from '../transitions/transition-durations';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { instanceEtag } from './instance.mapper';
import { planInstanceAction, type InstanceAction } from './instance-state-machine';
import { InstancesRepository, type InstanceRow } from './instances.repository';

/** Public IPv4 addresses for instances (RFC 5737 TEST-NET-2). */
const INSTANCE_PUBLIC_RANGE: AddressRange = {
  pool: 'public-ipv4/instances',
  size: 254,
  addressAt: (offset) => intToIpv4(ipv4ToInt('198.51.100.1') + offset),
};

export interface InstanceMutation {
  instance: InstanceRow;
  operation: OperationRow;
}

/** Something other resources do when an instance is terminated (detach volumes, drop LB backends…). */
export type InstanceTerminationListener = (instance: InstanceRow, at: number) => void;

/**
 * Instance rules. Mutations are synchronous and run inside the MutationRunner's transaction.
 */
@Injectable()
export class InstancesService implements Settleable, OnModuleInit {
  private readonly retentionMs: number;
  private readonly terminationListeners: InstanceTerminationListener[] = [];

  constructor(
    private readonly instances: InstancesRepository,
    private readonly catalog: CatalogService,
    private readonly addresses: AddressAllocator,
    private readonly operations: OperationsService,
    private readonly durations: TransitionDurations,
    private readonly settler: TransitionSettler,
    private readonly pageTokens: PageTokenCodec,
    private readonly quotas: QuotasService,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    config: CloudApiConfig,
  ) {
    this.retentionMs = parseDuration(config.terminatedRetention, 'terminated-retention');
  }

  onModuleInit(): void {
    this.settler.register(this);
  }

  onTerminated(listener: InstanceTerminationListener): void {
    this.terminationListeners.push(listener);
  }

  create(principal: Principal, req: CreateInstanceRequest): InstanceMutation {
    const region = this.catalog.requireZone(req.zone);
    const type = this.catalog.requireInstanceType(req.instanceType);
    const projectId = principal.projectId;
    if (this.instances.findLiveByName(projectId, req.name)) {
      throw alreadyExists(`an instance named "${req.name}" already exists in project ${projectId}`);
    }
    this.quotas.consume(projectId, 'instances', 1);
    this.quotas.consume(projectId, 'vcpus', type.vcpus);
    if (req.assignPublicIp) {
      this.quotas.consume(projectId, 'publicIps', 1);
    }
    const id = this.ids.next('i');
    const now = this.clock.now();
    const duration = this.durations.of('instance', 'pending');
    const row = this.instances.insert({
      id,
      projectId,
      name: req.name,
      zone: req.zone,
      region,
      instanceType: req.instanceType,
      state: 'pending',
      nextState: 'running',
      transitionEndsAt: now + duration,
      privateIp: this.addresses.allocate(this.catalog.subnetRange(projectId, req.zone), id),
      publicIp: req.assignPublicIp ? this.addresses.allocate(INSTANCE_PUBLIC_RANGE, id) : null,
      hostname: req.name,
      labels: JSON.stringify(req.labels ?? {}),
      userData: req.userData ?? null,
      imported: false,
      version: 1,
      createdAt: now,
      updatedAt: now,
      terminatedAt: null,
    });
    const operation = this.operations.start(projectId, 'instances.create', target(row), duration);
    if (duration > 0) {
      this.settler.noteDue(row.transitionEndsAt!);
      return { instance: row, operation };
    }
    // A zero-length boot ends at once, in this transaction (the change stream still sees pending,
    // then running), leaving nothing pending for the settler to look for.
    this.instances.setState(id, 'running', null, null, now);
    return { instance: this.instances.find(projectId, id)!, operation };
  }

  get(principal: Principal, id: string): InstanceRow {
    const row = this.instances.find(principal.projectId, id);
    if (!row) {
      throw notFound('instance', id);
    }
    return row;
  }

  list(principal: Principal, query: ListInstancesQuery): Page<InstanceRow> {
    const selector = parseLabelSelector(query.labelSelector ?? '');
    const filter = {
      zone: query.zone,
      state: query.state,
      name: query.name,
      privateIp: query.privateIp,
    };
    return paginate(
      this.pageTokens,
      { ...query },
      (after, limit) => this.instances.page(principal.projectId, filter, after, limit),
      selector.length === 0
        ? undefined
        : (row) => matchesLabelSelector(selector, JSON.parse(row.labels) as Record<string, string>),
    );
  }

  updateLabels(
    principal: Principal,
    id: string,
    labels: Record<string, string>,
    ifMatch?: string,
  ): InstanceMutation {
    const row = this.get(principal, id);
    assertIfMatch(ifMatch, instanceEtag(row));
    if (row.state === 'terminated' || row.state === 'shutting-down') {
      throw failedPrecondition(`cannot change labels of an instance in state "${row.state}"`);
    }
    this.instances.setLabels(id, JSON.stringify(labels), this.clock.now());
    const operation = this.operations.start(
      principal.projectId,
      'instances.update',
      target(row),
      0,
    );
    return { instance: this.get(principal, id), operation };
  }

  act(
    principal: Principal,
    id: string,
    action: InstanceAction,
    ifMatch?: string,
  ): InstanceMutation {
    const row = this.get(principal, id);
    assertIfMatch(ifMatch, instanceEtag(row));
    if (row.imported && action !== 'terminate') {
      throw failedPrecondition(
        `cannot ${action} instance ${id}: it was imported and runs outside Nimbus; ${action} the machine itself (terminating the instance only makes Nimbus forget it)`,
      );
    }
    const plan = planInstanceAction(action, row.state);
    const kind = `instances.${action}`;
    if (plan.kind === 'noop') {
      return {
        instance: row,
        operation: this.operations.start(principal.projectId, kind, target(row), 0),
      };
    }
    const duration = this.durations.of('instance', plan.durationKey);
    if (plan.kind === 'transition') {
      const now = this.clock.now();
      this.instances.setState(id, plan.state, plan.nextState, now + duration, now);
      this.settler.noteDue(now + duration);
    }
    const operation = this.operations.start(principal.projectId, kind, target(row), duration);
    return { instance: this.settledNow(this.get(principal, id)), operation };
  }

  nextDueAt(): number | null {
    return this.instances.nextDueAt();
  }

  hasDue(now: number): boolean {
    return this.instances.hasDue(now);
  }

  /** Ends every due transition at the instant it was due (not when noticed). */
  settleDue(now: number): void {
    for (const row of this.instances.due(now)) {
      const at = row.transitionEndsAt!;
      if (row.nextState === 'deleted') {
        this.instances.delete(row.id);
      } else if (row.nextState === 'terminated') {
        this.terminateAt(row, at);
      } else if (row.nextState !== null) {
        this.instances.setState(row.id, row.nextState, null, null, at);
      }
    }
  }

  /**
   * The instance is terminated at `at` (its shutdown ended, or an out-of-band terminate): it stays
   * visible as terminated for the retention time; its addresses and quota are released and the
   * termination listeners detach volumes, blackhole routes and drop load-balancer backends.
   */
  terminateAt(row: InstanceRow, at: number): void {
    this.instances.setState(row.id, 'terminated', 'deleted', at + this.retentionMs, at, at);
    this.addresses.releaseOwner(row.id);
    this.releaseQuota(row);
    this.terminationListeners.forEach((listener) => listener(row, at));
  }

  private releaseQuota(row: InstanceRow): void {
    this.quotas.release(row.projectId, 'instances', 1);
    this.quotas.release(
      row.projectId,
      'vcpus',
      this.catalog.instanceTypeOrUndefined(row.instanceType)?.vcpus ?? 0,
    );
    if (row.publicIp) {
      this.quotas.release(row.projectId, 'publicIps', 1);
    }
  }

  /** With zero-length transitions the caller sees the settled state in the same response. */
  private settledNow(row: InstanceRow): InstanceRow {
    const now = this.clock.now();
    if (
      row.transitionEndsAt !== null &&
      row.transitionEndsAt <= now &&
      row.nextState !== 'deleted'
    ) {
      this.settleDue(now);
      return this.instances.find(row.projectId, row.id) ?? row;
    }
    return row;
  }
}

function target(row: InstanceRow) {
  return { type: 'instance', id: row.id, name: row.name };
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  invalidArgument,
  notFound,
} from '@app/common';
import type {
  CreateLoadBalancerRequest,
  IpFamilyName,
  ListLoadBalancersQuery,
  LoadBalancerSpecRequest,
} from '@app/cloud-contracts';
import { AddressAllocator } from '../addresses/address-allocator';
import { formatIp, parseIp } from '../addresses/ip-cidr';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { assertIfMatch } from '../conventions/etag';
import { matchesLabelSelector, parseLabelSelector } from '../conventions/label-selector';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import { InstancesRepository } from '../instances/instances.repository';
import { InstancesService } from '../instances/instances.service';
import type { OperationRow } from '../operations/operations.repository';
import { OperationsService } from '../operations/operations.service';
import { QuotasService } from '../quotas/quotas.service';
import { TransitionDurations } from '../transitions/transition-durations';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { loadBalancerEtag } from './load-balancer.mapper';
import { normalizeSpec } from './load-balancer-spec';
import {
  LoadBalancersRepository,
  type BackendRow,
  type LoadBalancerRow,
} from './load-balancers.repository';
import { LoadBalancerDataPlane } from './data-plane/lb-data-plane.service';
import type { LoadBalancerRuntime } from './data-plane/lb-data-plane-view';
import { PublicIpPools } from './public-ip-pools';

/** A load balancer as shown: its row, its backends and what its data plane reports. */
export type LoadBalancerView = LoadBalancerRow & {
  backends: BackendRow[];
  runtime: LoadBalancerRuntime;
};

export interface LoadBalancerMutation {
  loadBalancer: LoadBalancerView;
  operation: OperationRow;
}

/**
 * Load balancer rules: unique name per project, region from the catalog, backends that are live
 * instances of the project in that region, one public IP per family from the pools (never held
 * twice), `loadBalancers` and `publicIps` quotas. provisioning → active; updating → active;
 * deleting → gone (addresses and quotas released then). Backends whose instance terminates drop out.
 */
@Injectable()
export class LoadBalancersService implements Settleable, OnModuleInit {
  constructor(
    private readonly loadBalancers: LoadBalancersRepository,
    private readonly instanceRows: InstancesRepository,
    private readonly instances: InstancesService,
    private readonly catalog: CatalogService,
    private readonly pools: PublicIpPools,
    private readonly addresses: AddressAllocator,
    private readonly operations: OperationsService,
    private readonly quotas: QuotasService,
    private readonly durations: TransitionDurations,
    private readonly settler: TransitionSettler,
    private readonly pageTokens: PageTokenCodec,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly dataPlane: LoadBalancerDataPlane,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
    this.instances.onTerminated((instance, at) => {
      for (const id of this.loadBalancers.dropInstance(instance.id)) {
        this.loadBalancers.touch(id, at);
        this.dataPlane.requestSync(id);
      }
    });
  }

  create(principal: Principal, req: CreateLoadBalancerRequest): LoadBalancerMutation {
    const projectId = principal.projectId;
    const region = this.regionOf(req.region);
    const families = req.ipFamilies ?? ['IPv4'];
    const spec = normalizeSpec(req, families);
    const requested = this.parseRequestedIp(req.requestedIp, families);
    const backends = this.resolveBackends(
      projectId,
      region,
      (req.backends ?? []).map((b) => b.instanceId),
      (i) => `backends[${i}].instanceId`,
    );
    if (this.loadBalancers.findByName(projectId, req.name)) {
      throw alreadyExists(
        `a load balancer named "${req.name}" already exists in project ${projectId}`,
      );
    }
    this.quotas.consume(projectId, 'loadBalancers', 1);
    this.quotas.consume(projectId, 'publicIps', families.length);
    const id = this.ids.next('lb');
    const ips = this.allocateIps(id, families, requested);
    const now = this.clock.now();
    const duration = this.durations.of('loadBalancer', 'provisioning');
    const row = this.loadBalancers.insert({
      id,
      projectId,
      name: req.name,
      region,
      state: duration > 0 ? 'provisioning' : 'active',
      nextState: duration > 0 ? 'active' : null,
      transitionEndsAt: duration > 0 ? now + duration : null,
      spec: JSON.stringify(spec),
      ipFamilies: JSON.stringify(families),
      publicIpv4: ips.IPv4 ?? null,
      publicIpv6: ips.IPv6 ?? null,
      labels: JSON.stringify(req.labels ?? {}),
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    this.loadBalancers.addBackends(id, backends);
    this.dataPlane.requestSync(id);
    const operation = this.operations.start(
      projectId,
      'load-balancers.create',
      target(row),
      duration,
    );
    return { loadBalancer: this.view(row), operation };
  }

  get(principal: Principal, id: string): LoadBalancerView {
    const row = this.loadBalancers.find(principal.projectId, id);
    if (!row) {
      throw notFound('load balancer', id);
    }
    return this.view(row);
  }

  list(principal: Principal, query: ListLoadBalancersQuery): Page<LoadBalancerView> {
    const selector = parseLabelSelector(query.labelSelector ?? '');
    const filter = { name: query.name, region: query.region, state: query.state };
    const page = paginate(
      this.pageTokens,
      { ...query },
      (after, limit) => this.loadBalancers.page(principal.projectId, filter, after, limit),
      selector.length === 0
        ? undefined
        : (row) => matchesLabelSelector(selector, JSON.parse(row.labels) as Record<string, string>),
    );
    return { ...page, items: page.items.map((row) => this.view(row)) };
  }

  /** PUT: replaces listeners, backends, health check, algorithm, affinity and source ranges. */
  update(
    principal: Principal,
    id: string,
    req: LoadBalancerSpecRequest,
    ifMatch?: string,
  ): LoadBalancerMutation {
    const lb = this.mutable(principal, id, ifMatch);
    const spec = JSON.stringify(normalizeSpec(req, JSON.parse(lb.ipFamilies) as IpFamilyName[]));
    const backends = this.resolveBackends(
      lb.projectId,
      lb.region,
      (req.backends ?? []).map((b) => b.instanceId),
      (i) => `backends[${i}].instanceId`,
    );
    const sameBackends =
      backends.length === lb.backends.length &&
      backends.every((b, i) => b.instanceId === lb.backends[i].instanceId);
    return this.change(lb, 'load-balancers.update', spec !== lb.spec || !sameBackends, () => {
      this.loadBalancers.setSpec(lb.id, spec);
      this.loadBalancers.clearBackends(lb.id);
      this.loadBalancers.addBackends(lb.id, backends);
    });
  }

  addBackends(
    principal: Principal,
    id: string,
    instanceIds: string[],
    ifMatch?: string,
  ): LoadBalancerMutation {
    const lb = this.mutable(principal, id, ifMatch);
    const present = new Set(lb.backends.map((b) => b.instanceId));
    const positions = instanceIds
      .map((instanceId, i) => ({ instanceId, i }))
      .filter((x) => !present.has(x.instanceId));
    const added = positions.map((x) =>
      this.resolveBackend(lb.projectId, lb.region, x.instanceId, `instanceIds[${x.i}]`),
    );
    return this.change(lb, 'load-balancers.add-backends', added.length > 0, () =>
      this.loadBalancers.addBackends(lb.id, added),
    );
  }

  /** Ids that are not backends are ignored, so a retried removal is harmless. */
  removeBackends(
    principal: Principal,
    id: string,
    instanceIds: string[],
    ifMatch?: string,
  ): LoadBalancerMutation {
    const lb = this.mutable(principal, id, ifMatch);
    const present = new Set(lb.backends.map((b) => b.instanceId));
    const removed = instanceIds.filter((i) => present.has(i));
    return this.change(lb, 'load-balancers.remove-backends', removed.length > 0, () =>
      this.loadBalancers.removeBackends(lb.id, removed),
    );
  }

  delete(principal: Principal, id: string, ifMatch?: string): LoadBalancerMutation {
    const lb = this.get(principal, id);
    assertIfMatch(ifMatch, loadBalancerEtag(lb));
    if (lb.state === 'deleting') {
      return this.noop(lb, 'load-balancers.delete');
    }
    const now = this.clock.now();
    const duration = this.durations.of('loadBalancer', 'deleting');
    this.loadBalancers.setState(lb.id, 'deleting', 'deleted', now + duration, now);
    this.dataPlane.requestSync(lb.id);
    const deleting = this.get(principal, id);
    if (duration <= 0) {
      this.finalizeDeletion(deleting);
    }
    const operation = this.operations.start(
      lb.projectId,
      'load-balancers.delete',
      target(lb),
      duration,
    );
    return { loadBalancer: deleting, operation };
  }

  hasDue(now: number): boolean {
    return this.loadBalancers.hasDue(now);
  }

  nextDueAt(): number | null {
    return this.loadBalancers.nextDueAt();
  }

  settleDue(now: number): void {
    for (const row of this.loadBalancers.due(now)) {
      if (row.nextState === 'deleted') {
        this.finalizeDeletion(row);
      } else {
        this.loadBalancers.setState(row.id, 'active', null, null, row.transitionEndsAt!);
        this.dataPlane.requestSync(row.id);
      }
    }
  }

  /** The load balancer is gone: its addresses, backends and quota return. */
  finalizeDeletion(row: LoadBalancerRow): void {
    this.addresses.releaseOwner(row.id);
    this.quotas.release(row.projectId, 'loadBalancers', 1);
    this.quotas.release(
      row.projectId,
      'publicIps',
      (JSON.parse(row.ipFamilies) as string[]).length,
    );
    this.loadBalancers.delete(row.id);
    this.dataPlane.requestSync(row.id);
  }

  /** A load balancer that may change: If-Match holds and it is not being deleted. */
  private mutable(principal: Principal, id: string, ifMatch?: string): LoadBalancerView {
    const lb = this.get(principal, id);
    assertIfMatch(ifMatch, loadBalancerEtag(lb));
    if (lb.state === 'deleting') {
      throw failedPrecondition(`load balancer ${lb.id} is being deleted`);
    }
    return lb;
  }

  /** An unchanged load balancer answers a done operation; otherwise the change is written and it updates. */
  private change(
    lb: LoadBalancerView,
    kind: string,
    changed: boolean,
    write: () => void,
  ): LoadBalancerMutation {
    if (!changed) {
      return this.noop(lb, kind);
    }
    write();
    this.dataPlane.requestSync(lb.id);
    return this.beginUpdate(lb, kind);
  }

  /** provisioning stays provisioning (it is not active yet); otherwise updating → active. */
  private beginUpdate(lb: LoadBalancerRow, kind: string): LoadBalancerMutation {
    const now = this.clock.now();
    const duration = this.durations.of('loadBalancer', 'updating');
    const endsAt = Math.max(lb.transitionEndsAt ?? 0, now + duration);
    if (endsAt <= now) {
      this.loadBalancers.setState(lb.id, 'active', null, null, now);
    } else {
      const state = lb.state === 'provisioning' ? 'provisioning' : 'updating';
      this.loadBalancers.setState(lb.id, state, 'active', endsAt, now);
    }
    const operation = this.operations.start(lb.projectId, kind, target(lb), endsAt - now);
    return { loadBalancer: this.view(this.loadBalancers.find(lb.projectId, lb.id)!), operation };
  }

  private noop(lb: LoadBalancerView, kind: string): LoadBalancerMutation {
    return {
      loadBalancer: lb,
      operation: this.operations.start(lb.projectId, kind, target(lb), 0),
    };
  }

  private parseRequestedIp(
    requestedIp: string | undefined,
    families: IpFamilyName[],
  ): { family: IpFamilyName; ip: string } | undefined {
    if (requestedIp === undefined) {
      return undefined;
    }
    const parsed = parseIp(requestedIp);
    if (!parsed) {
      throw invalidArgument('requestedIp', `"${requestedIp}" is not an IP address`);
    }
    const family: IpFamilyName = parsed.family === 4 ? 'IPv4' : 'IPv6';
    if (!families.includes(family)) {
      throw invalidArgument('requestedIp', `is ${family} but ipFamilies is ${families.join(',')}`);
    }
    const ip = formatIp(parsed.value, parsed.family);
    const pool = this.pools.of(family);
    if (!pool.contains(ip)) {
      throw failedPrecondition(
        `requestedIp ${ip} is not in the load balancer ${family} pool ${pool.cidr}`,
      );
    }
    return { family, ip };
  }

  private allocateIps(
    ownerId: string,
    families: IpFamilyName[],
    requested?: { family: IpFamilyName; ip: string },
  ): Partial<Record<IpFamilyName, string>> {
    const ips: Partial<Record<IpFamilyName, string>> = {};
    for (const family of families) {
      const pool = this.pools.of(family);
      if (requested?.family === family) {
        if (!this.addresses.claim(pool.pool, requested.ip, ownerId)) {
          throw failedPrecondition(`requestedIp ${requested.ip} is already in use`);
        }
        ips[family] = requested.ip;
      } else {
        ips[family] = this.addresses.allocate(pool, ownerId);
      }
    }
    return ips;
  }

  private resolveBackends(
    projectId: string,
    region: string,
    instanceIds: string[],
    fieldOf: (i: number) => string,
  ): BackendRow[] {
    const seen = new Set<string>();
    return instanceIds.map((instanceId, i) => {
      if (seen.has(instanceId)) {
        throw invalidArgument(fieldOf(i), `instance ${instanceId} is listed twice`);
      }
      seen.add(instanceId);
      return this.resolveBackend(projectId, region, instanceId, fieldOf(i));
    });
  }

  /** The region asked for, or the only one (a single-region cloud needs no `region`). */
  private regionOf(requested: string | undefined): string {
    const region = requested ?? this.catalog.soleRegion();
    if (region === undefined) {
      throw invalidArgument(
        'region',
        `is required: the cloud has ${this.catalog.regions().length} regions; see GET /v1/regions`,
      );
    }
    if (!this.catalog.regions().some((r) => r.name === region)) {
      throw invalidArgument('region', `unknown region "${region}"; see GET /v1/regions`);
    }
    return region;
  }

  /** A backend must be a live instance of the project in the load balancer's region. */
  private resolveBackend(
    projectId: string,
    region: string,
    instanceId: string,
    field: string,
  ): BackendRow {
    const instance = this.instanceRows.find(projectId, instanceId);
    if (!instance) {
      throw invalidArgument(field, `no instance "${instanceId}" in project ${projectId}`);
    }
    if (instance.region !== region) {
      throw invalidArgument(
        field,
        `instance ${instanceId} is in region ${instance.region}, not ${region}`,
      );
    }
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      throw failedPrecondition(`backend instance ${instanceId} is ${instance.state}`);
    }
    return { instanceId, instanceIp: instance.privateIp };
  }

  private view(row: LoadBalancerRow): LoadBalancerView {
    return {
      ...row,
      backends: this.loadBalancers.backends(row.id),
      runtime: this.dataPlane.runtimeOf(row),
    };
  }
}

function target(row: LoadBalancerRow) {
  return { type: 'load-balancer', id: row.id, name: row.name };
}

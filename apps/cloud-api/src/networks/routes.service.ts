import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  invalidArgument,
  notFound,
} from '@app/common';
import type { CreateRouteRequest, ListRoutesQuery } from '@app/cloud-contracts';
import { parseIpCidr, sortableHex } from '../addresses/ip-cidr';
import type { Principal } from '../auth/principal';
import { assertIfMatch } from '../conventions/etag';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import { InstancesRepository } from '../instances/instances.repository';
import { InstancesService } from '../instances/instances.service';
import type { OperationRow } from '../operations/operations.repository';
import { OperationsService } from '../operations/operations.service';
import { QuotasService } from '../quotas/quotas.service';
import { TransitionDurations } from '../transitions/transition-durations';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { NetworksService } from './networks.service';
import { routeEtag } from './route.mapper';
import { RoutesRepository, type RouteRow } from './routes.repository';

/** A route as shown: its row plus the routes whose destinations overlap it (computed on read). */
export type RouteView = RouteRow & { overlaps: string[] };

export interface RouteMutation {
  route: RouteView;
  operation: OperationRow;
}

/**
 * Route tables. Rules: destination unique per network (overlaps allowed, reported), next hop an
 * instance of the project, at most `routesPerNetwork` routes per network. A route whose next hop
 * terminates becomes `blackhole` in the same transaction as the termination.
 */
@Injectable()
export class RoutesService implements Settleable, OnModuleInit {
  constructor(
    private readonly routes: RoutesRepository,
    private readonly networks: NetworksService,
    private readonly instanceRows: InstancesRepository,
    private readonly instances: InstancesService,
    private readonly operations: OperationsService,
    private readonly quotas: QuotasService,
    private readonly durations: TransitionDurations,
    private readonly settler: TransitionSettler,
    private readonly pageTokens: PageTokenCodec,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
    this.instances.onTerminated((instance, at) => this.routes.blackholeNextHop(instance.id, at));
  }

  create(principal: Principal, networkId: string, req: CreateRouteRequest): RouteMutation {
    const network = this.networks.get(principal, networkId);
    const projectId = principal.projectId;
    const destination = parseIpCidr(req.destinationCidr, 'destinationCidr');
    const hop = this.instanceRows.find(projectId, req.nextHop.instanceId);
    if (!hop) {
      throw invalidArgument(
        'nextHop.instanceId',
        `no instance "${req.nextHop.instanceId}" in project ${projectId}`,
      );
    }
    const duplicate = this.routes.findByDestination(network.id, destination.text);
    if (duplicate) {
      throw alreadyExists(
        `network "${network.name}" already has route ${duplicate.id} to ${destination.text}`,
      );
    }
    if (this.routes.findByName(network.id, req.name)) {
      throw alreadyExists(`network "${network.name}" already has a route named "${req.name}"`);
    }
    if (hop.state === 'terminated' || hop.state === 'shutting-down') {
      throw failedPrecondition(
        `next-hop instance ${hop.id} is ${hop.state}; a route needs a live next hop`,
      );
    }
    this.quotas.consume(projectId, 'routesPerNetwork', 1, network.id);
    const now = this.clock.now();
    const duration = this.durations.of('route', 'creating');
    const row = this.routes.insert({
      id: this.ids.next('rt'),
      projectId,
      networkId: network.id,
      name: req.name,
      destinationCidr: destination.text,
      ipFamily: destination.family,
      rangeStart: sortableHex(destination.first),
      rangeEnd: sortableHex(destination.last),
      nextHopInstanceId: hop.id,
      nextHopIp: hop.privateIp,
      description: req.description ?? null,
      state: duration > 0 ? 'creating' : 'active',
      transitionEndsAt: duration > 0 ? now + duration : null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const operation = this.operations.start(projectId, 'routes.create', target(row), duration);
    return { route: this.view(row), operation };
  }

  get(principal: Principal, networkId: string, id: string): RouteView {
    return this.view(this.find(principal, networkId, id));
  }

  list(principal: Principal, networkId: string, query: ListRoutesQuery): Page<RouteView> {
    const network = this.networks.get(principal, networkId);
    const filter = {
      name: query.name,
      destinationCidr:
        query.destinationCidr === undefined
          ? undefined
          : parseIpCidr(query.destinationCidr, 'destinationCidr').text,
      nextHopInstanceId: query.nextHopInstanceId,
      state: query.state,
    };
    const page = paginate(this.pageTokens, { ...query }, (after, limit) =>
      this.routes.page(network.id, filter, after, limit),
    );
    return { ...page, items: page.items.map((row) => this.view(row)) };
  }

  delete(principal: Principal, networkId: string, id: string, ifMatch?: string): RouteMutation {
    const route = this.get(principal, networkId, id);
    assertIfMatch(ifMatch, routeEtag(route));
    this.remove(route);
    const operation = this.operations.start(route.projectId, 'routes.delete', target(route), 0);
    return { route, operation };
  }

  /** The route is gone and its network's quota released (a delete, also out-of-band). */
  remove(route: RouteRow): void {
    this.routes.delete(route.id);
    this.quotas.release(route.projectId, 'routesPerNetwork', 1, route.networkId);
  }

  hasDue(now: number): boolean {
    return this.routes.hasDue(now);
  }

  nextDueAt(): number | null {
    return this.routes.nextDueAt();
  }

  /** creating → active at the instant it was due (a terminated next hop already blackholed it). */
  settleDue(now: number): void {
    for (const row of this.routes.due(now)) {
      this.routes.setState(row.id, 'active', null, row.transitionEndsAt!);
    }
  }

  private find(principal: Principal, networkId: string, id: string): RouteRow {
    const network = this.networks.get(principal, networkId);
    const row = this.routes.find(network.id, id);
    if (!row) {
      throw notFound('route', id);
    }
    return row;
  }

  private view(row: RouteRow): RouteView {
    return { ...row, overlaps: this.routes.overlapping(row) };
  }
}

function target(row: RouteRow) {
  return { type: 'route', id: row.id, name: row.name };
}

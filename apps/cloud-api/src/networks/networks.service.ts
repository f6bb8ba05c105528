import { Injectable } from '@nestjs/common';
import {
  alreadyExists,
  Clock,
  failedPrecondition,
  IdGenerator,
  invalidArgument,
  notFound,
} from '@app/common';
import { CloudApiConfig } from '@app/config';
import type { CreateNetworkRequest, ListNetworksQuery, SubnetDto } from '@app/cloud-contracts';
import { SqliteDatabase } from '@app/persistence';
import { formatCidr, parseIpv4Cidr } from '../addresses/ipv4';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { assertIfMatch } from '../conventions/etag';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import type { OperationRow } from '../operations/operations.repository';
import { OperationsService } from '../operations/operations.service';
import { networkEtag } from './network.mapper';
import { NetworksRepository, type NetworkRow } from './networks.repository';
import { RoutesRepository } from './routes.repository';

export const DEFAULT_NETWORK_NAME = 'default';
const MIN_PREFIX = 8;
const MAX_PREFIX = 28;

export interface NetworkMutation {
  network: NetworkRow;
  operation: OperationRow;
}

/**
 * Networks. Every project has a default network (config `networkCidr`) holding the catalog's zone
 * subnets; it is created on the project's first network or route call, so projects made by the
 * admin API get one too. Network changes are immediate (their operations are done at once).
 */
@Injectable()
export class NetworksService {
  constructor(
    private readonly networks: NetworksRepository,
    private readonly routes: RoutesRepository,
    private readonly catalog: CatalogService,
    private readonly operations: OperationsService,
    private readonly pageTokens: PageTokenCodec,
    private readonly db: SqliteDatabase,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly config: CloudApiConfig,
  ) {}

  create(principal: Principal, req: CreateNetworkRequest): NetworkMutation {
    const projectId = principal.projectId;
    const cidr = parseIpv4Cidr(req.cidr, 'cidr');
    if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX) {
      throw invalidArgument('cidr', `prefix must be between /${MIN_PREFIX} and /${MAX_PREFIX}`);
    }
    this.ensureDefault(projectId);
    if (this.networks.findByName(projectId, req.name)) {
      throw alreadyExists(`a network named "${req.name}" already exists in project ${projectId}`);
    }
    const network = this.insert(projectId, req.name, formatCidr(cidr), false);
    const operation = this.operations.start(projectId, 'networks.create', target(network), 0);
    return { network, operation };
  }

  get(principal: Principal, id: string): NetworkRow {
    this.ensureDefault(principal.projectId);
    const row = this.networks.find(principal.projectId, id);
    if (!row) {
      throw notFound('network', id);
    }
    return row;
  }

  list(principal: Principal, query: ListNetworksQuery): Page<NetworkRow> {
    this.ensureDefault(principal.projectId);
    return paginate(this.pageTokens, { ...query }, (after, limit) =>
      this.networks.page(principal.projectId, query.name, after, limit),
    );
  }

  delete(principal: Principal, id: string, ifMatch?: string): NetworkMutation {
    const network = this.get(principal, id);
    assertIfMatch(ifMatch, networkEtag(network));
    if (network.isDefault) {
      throw failedPrecondition("the project's default network cannot be deleted");
    }
    const routes = this.routes.countInNetwork(id);
    if (routes > 0) {
      throw failedPrecondition(
        `network "${network.name}" still has ${routes} route(s); delete them first`,
      );
    }
    this.networks.delete(id);
    const operation = this.operations.start(
      principal.projectId,
      'networks.delete',
      target(network),
      0,
    );
    return { network, operation };
  }

  /** The zone subnets the default network shows. */
  subnets(): SubnetDto[] {
    return this.catalog.zones().map((z) => ({ zone: z.name, cidr: z.subnetCidr }));
  }

  /** Creates the project's default network if it has none yet (idempotent, race-free). */
  private ensureDefault(projectId: string): void {
    if (this.networks.hasDefault(projectId)) {
      return;
    }
    this.db.transaction(() => {
      if (!this.networks.hasDefault(projectId)) {
        const cidr = formatCidr(parseIpv4Cidr(this.config.networkCidr, 'network-cidr'));
        this.insert(projectId, DEFAULT_NETWORK_NAME, cidr, true);
      }
    });
  }

  private insert(projectId: string, name: string, cidr: string, isDefault: boolean): NetworkRow {
    const now = this.clock.now();
    return this.networks.insert({
      id: this.ids.next('net'),
      projectId,
      name,
      cidr,
      isDefault,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }
}

function target(row: NetworkRow) {
  return { type: 'network', id: row.id, name: row.name };
}

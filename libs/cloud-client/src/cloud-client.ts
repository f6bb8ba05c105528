import type {
  CreateInstanceRequest,
  ImportInstanceRequest,
  CreateLoadBalancerRequest,
  CreateRouteRequest,
  InstanceDto,
  InstanceOperationDto,
  InstanceTypeDto,
  ListInstancesQuery,
  ListLoadBalancersQuery,
  ListNetworksQuery,
  ListRoutesQuery,
  LoadBalancerDto,
  LoadBalancerOperationDto,
  NetworkDto,
  OperationDto,
  RegionDto,
  RouteDto,
  RouteOperationDto,
  UpdateLoadBalancerRequest,
  VolumeTypeDto,
  ZoneDto,
} from '@app/cloud-contracts';
import { CloudHttp, type CloudClientOptions } from './cloud-http';
import { Resource, seg, type Filter, type MutationOptions, type Query } from './resource';
import { errorFromProblem, NetworkError } from './errors';
import { collect, findFirst, paginate, type Page } from './paging';
import { VolumesApi } from './volumes-api';

export type { Filter, MutationOptions, Query } from './resource';

export class InstancesApi extends Resource {
  get(id: string): Promise<InstanceDto> {
    return this.read(`/v1/instances/${seg(id)}`);
  }

  list(query?: Query<ListInstancesQuery>): Promise<Page<InstanceDto>> {
    return this.read('/v1/instances', query);
  }

  /** Every instance matching the filters, across pages. */
  listAll(filter?: Filter<ListInstancesQuery>): AsyncGenerator<InstanceDto> {
    return paginate((pageToken) => this.list({ pageSize: 500, ...filter, pageToken }));
  }

  /** Instances with this exact name (a node name), terminated ones included. */
  findByName(name: string): Promise<InstanceDto[]> {
    return collect(this.listAll({ name }));
  }

  /** Instances holding this private IP (a node's InternalIP), terminated ones included. */
  findByPrivateIp(privateIp: string): Promise<InstanceDto[]> {
    return collect(this.listAll({ privateIp }));
  }

  create(req: CreateInstanceRequest, options?: MutationOptions): Promise<InstanceOperationDto> {
    return this.send('POST', '/v1/instances', req, options);
  }

  /** `POST /v1/instances:import`: a machine running outside Nimbus (e.g. an adopted node). */
  import(req: ImportInstanceRequest, options?: MutationOptions): Promise<InstanceOperationDto> {
    return this.send('POST', '/v1/instances:import', req, options);
  }

  stop(id: string, options?: MutationOptions): Promise<InstanceOperationDto> {
    return this.send('POST', `/v1/instances/${seg(id)}/stop`, {}, options);
  }

  start(id: string, options?: MutationOptions): Promise<InstanceOperationDto> {
    return this.send('POST', `/v1/instances/${seg(id)}/start`, {}, options);
  }

  /** DELETE: starts termination. */
  terminate(id: string, options?: MutationOptions): Promise<InstanceOperationDto> {
    return this.send('DELETE', `/v1/instances/${seg(id)}`, undefined, options);
  }
}

export class NetworksApi extends Resource {
  get(id: string): Promise<NetworkDto> {
    return this.read(`/v1/networks/${seg(id)}`);
  }

  list(query?: Query<ListNetworksQuery>): Promise<Page<NetworkDto>> {
    return this.read('/v1/networks', query);
  }

  listAll(filter?: Filter<ListNetworksQuery>): AsyncGenerator<NetworkDto> {
    return paginate((pageToken) => this.list({ pageSize: 500, ...filter, pageToken }));
  }

  /** The network with this exact name, if any. */
  findByName(name: string): Promise<NetworkDto | undefined> {
    return findFirst(this.listAll({ name }));
  }

  /** The project's default network (the one instances live in). */
  async getDefault(): Promise<NetworkDto> {
    const byName = await findFirst(this.listAll({ name: 'default' }), (n) => n.default);
    const network = byName ?? (await findFirst(this.listAll(), (n) => n.default));
    if (!network) {
      throw new Error('the project has no default network');
    }
    return network;
  }
}

export class RoutesApi extends Resource {
  private base(networkId: string): string {
    return `/v1/networks/${seg(networkId)}/routes`;
  }

  get(networkId: string, id: string): Promise<RouteDto> {
    return this.read(`${this.base(networkId)}/${seg(id)}`);
  }

  list(networkId: string, query?: Query<ListRoutesQuery>): Promise<Page<RouteDto>> {
    return this.read(this.base(networkId), query);
  }

  listAll(networkId: string, filter?: Filter<ListRoutesQuery>): AsyncGenerator<RouteDto> {
    return paginate((pageToken) => this.list(networkId, { pageSize: 500, ...filter, pageToken }));
  }

  findByName(networkId: string, name: string): Promise<RouteDto | undefined> {
    return findFirst(this.listAll(networkId, { name }));
  }

  create(
    networkId: string,
    req: CreateRouteRequest,
    options?: MutationOptions,
  ): Promise<RouteOperationDto> {
    return this.send('POST', this.base(networkId), req, options);
  }

  delete(networkId: string, id: string, options?: MutationOptions): Promise<RouteOperationDto> {
    return this.send('DELETE', `${this.base(networkId)}/${seg(id)}`, undefined, options);
  }
}

export class LoadBalancersApi extends Resource {
  get(id: string): Promise<LoadBalancerDto> {
    return this.read(`/v1/load-balancers/${seg(id)}`);
  }

  list(query?: Query<ListLoadBalancersQuery>): Promise<Page<LoadBalancerDto>> {
    return this.read('/v1/load-balancers', query);
  }

  listAll(filter?: Filter<ListLoadBalancersQuery>): AsyncGenerator<LoadBalancerDto> {
    return paginate((pageToken) => this.list({ pageSize: 500, ...filter, pageToken }));
  }

  /** The load balancer with this exact name (names are unique in a project), if any. */
  getByName(name: string): Promise<LoadBalancerDto | undefined> {
    return findFirst(this.listAll({ name }));
  }

  create(
    req: CreateLoadBalancerRequest,
    options?: MutationOptions,
  ): Promise<LoadBalancerOperationDto> {
    return this.send('POST', '/v1/load-balancers', req, options);
  }

  /** PUT: replaces listeners, backends, health check, algorithm, affinity and source ranges. */
  update(
    id: string,
    req: UpdateLoadBalancerRequest,
    options?: MutationOptions,
  ): Promise<LoadBalancerOperationDto> {
    return this.send('PUT', `/v1/load-balancers/${seg(id)}`, req, options);
  }

  addBackends(
    id: string,
    instanceIds: string[],
    options?: MutationOptions,
  ): Promise<LoadBalancerOperationDto> {
    return this.send(
      'POST',
      `/v1/load-balancers/${seg(id)}/backends:add`,
      { instanceIds },
      options,
    );
  }

  removeBackends(
    id: string,
    instanceIds: string[],
    options?: MutationOptions,
  ): Promise<LoadBalancerOperationDto> {
    const path = `/v1/load-balancers/${seg(id)}/backends:remove`;
    return this.send('POST', path, { instanceIds }, options);
  }

  delete(id: string, options?: MutationOptions): Promise<LoadBalancerOperationDto> {
    return this.send('DELETE', `/v1/load-balancers/${seg(id)}`, undefined, options);
  }
}

export interface WaitOptions {
  /** Between polls; default 500 ms. */
  pollIntervalMs?: number;
  /** Measured with the client's clock; default 5 minutes. */
  timeoutMs?: number;
}

export class OperationsApi extends Resource {
  get(id: string): Promise<OperationDto> {
    return this.read(`/v1/operations/${seg(id)}`);
  }

  list(query?: {
    targetId?: string;
    pageSize?: number;
    pageToken?: string;
  }): Promise<Page<OperationDto>> {
    return this.read('/v1/operations', query);
  }

  /**
   * Polls until the operation is no longer running. Resolves with the `done` operation; a
   * `failed` one throws its problem as an OperationFailedError.
   */
  async wait(operation: OperationDto | string, options: WaitOptions = {}): Promise<OperationDto> {
    const interval = options.pollIntervalMs ?? 500;
    const timeout = options.timeoutMs ?? 300_000;
    const started = this.http.clock.now();
    let op = typeof operation === 'string' ? await this.get(operation) : operation;
    while (op.status === 'running') {
      if (this.http.clock.now() - started >= timeout) {
        throw new NetworkError({
          status: 0,
          code: 'TIMEOUT',
          detail: `operation ${op.id} (${op.kind}) still running after ${timeout} ms`,
          retryable: true,
        });
      }
      await this.http.sleep(interval);
      op = await this.get(op.id);
    }
    if (op.status === 'failed') {
      throw errorFromProblem(
        op.error ?? {
          type: 'about:blank',
          title: 'Operation failed',
          status: 500,
          detail: `operation ${op.id} failed`,
          instance: `/v1/operations/${op.id}`,
          code: 'INTERNAL',
          retryable: false,
          requestId: '',
        },
      );
    }
    return op;
  }
}

export class CatalogApi extends Resource {
  async regions(): Promise<RegionDto[]> {
    return (await this.read<{ items: RegionDto[] }>('/v1/regions')).items;
  }

  async zones(): Promise<ZoneDto[]> {
    return (await this.read<{ items: ZoneDto[] }>('/v1/zones')).items;
  }

  async instanceTypes(): Promise<InstanceTypeDto[]> {
    return (await this.read<{ items: InstanceTypeDto[] }>('/v1/instance-types')).items;
  }

  async volumeTypes(): Promise<VolumeTypeDto[]> {
    return (await this.read<{ items: VolumeTypeDto[] }>('/v1/volume-types')).items;
  }
}

/** Typed client of the Nimbus cloud API (the endpoints a cloud-controller-manager needs). */
export class NimbusCloudClient {
  readonly http: CloudHttp;
  readonly instances: InstancesApi;
  readonly networks: NetworksApi;
  readonly routes: RoutesApi;
  readonly loadBalancers: LoadBalancersApi;
  readonly volumes: VolumesApi;
  readonly operations: OperationsApi;
  readonly catalog: CatalogApi;

  constructor(options: CloudClientOptions) {
    this.http = new CloudHttp(options);
    this.instances = new InstancesApi(this.http);
    this.networks = new NetworksApi(this.http);
    this.routes = new RoutesApi(this.http);
    this.loadBalancers = new LoadBalancersApi(this.http);
    this.volumes = new VolumesApi(this.http);
    this.operations = new OperationsApi(this.http);
    this.catalog = new CatalogApi(this.http);
  }
}

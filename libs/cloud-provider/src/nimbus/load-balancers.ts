import type { LoadBalancerDto, UpdateLoadBalancerRequest } from '@app/cloud-contracts';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  type NimbusCloudClient,
} from '@app/cloud-client';
import type { GetLoadBalancerResult, LoadBalancer } from '../api/cloud-provider';
import { CloudProviderError, RetryError } from '../api/errors';
import { defaultLoadBalancerName, serviceKey } from '../api/helpers';
import { NodeAdoptionError } from '../api/node-adoption';
import type {
  LoadBalancerIPMode,
  LoadBalancerStatus,
  ProviderNode,
  ProviderService,
} from '../api/types';
import type { InstanceFinder } from './instance-finder';
import {
  desiredLoadBalancer,
  replacementReason,
  specDiffers,
  type DesiredLoadBalancer,
} from './load-balancer-spec';
import { labelValue, type ProviderLogger } from './options';
import { isNimbusProviderID, parseProviderID } from './provider-id';

/** Labels on every load balancer the provider creates; the cluster label marks ownership. */
export const LABEL_CLUSTER_NAME = 'kubernetes.io/cluster-name';
export const LABEL_SERVICE_NAMESPACE = 'kubernetes.io/service-namespace';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_SERVICE_UID = 'kubernetes.io/service-uid';

interface RegionInfo {
  name: string;
  zones: Set<string>;
}

export interface NimbusLoadBalancerSettings {
  region?: string;
  retryAfterMs: number;
  ipMode: LoadBalancerIPMode;
  /** kube-proxy's /healthz port on the nodes (read at every sync: `nimbus up` learns it late). */
  kubeProxyHealthzPort: () => number;
  logger: ProviderLogger;
}

/**
 * The LoadBalancer interface over Nimbus load balancers. One cloud LB per Service, named
 * `DefaultLoadBalancerName(service)` and labelled with the cluster name; its desired state is
 * recomputed from the Service on every call, so Ensure is idempotent (create, PUT when anything
 * differs, nothing otherwise).
 */
export class NimbusLoadBalancers implements LoadBalancer {
  private region?: Promise<RegionInfo>;
  /**
   * Names of load balancers this provider created or found. A Service without ingress whose LB
   * name is not here most likely has no LB yet, so Ensure creates first and looks up only when
   * the cloud answers ALREADY_EXISTS: one cloud call fewer for every new Service.
   */
  private readonly known = new Set<string>();

  constructor(
    private readonly client: NimbusCloudClient,
    private readonly finder: InstanceFinder,
    private readonly settings: NimbusLoadBalancerSettings,
  ) {}

  getLoadBalancerName(_clusterName: string, service: ProviderService): string {
    return defaultLoadBalancerName(service);
  }

  async getLoadBalancer(
    clusterName: string,
    service: ProviderService,
  ): Promise<GetLoadBalancerResult> {
    const lb = await this.lookup(this.getLoadBalancerName(clusterName, service));
    if (!lb || !owned(lb, clusterName)) {
      return { exists: false, status: { ingress: [] } };
    }
    return { exists: true, status: this.status(lb, service.spec?.ipFamilies ?? []) };
  }

  async ensureLoadBalancer(
    clusterName: string,
    service: ProviderService,
    nodes: ProviderNode[],
  ): Promise<LoadBalancerStatus> {
    const name = this.getLoadBalancerName(clusterName, service);
    const desired = desiredLoadBalancer(service, {
      kubeProxyHealthzPort: this.settings.kubeProxyHealthzPort(),
    });
    if (!this.known.has(name) && !hasIngress(service)) {
      const created = await this.createUnlessExists(name, clusterName, service, desired, nodes);
      if (created) {
        return this.statusOrRetry(created, desired);
      }
    }
    let lb = await this.lookup(name);
    if (lb && !owned(lb, clusterName)) {
      throw new CloudProviderError(
        `load balancer ${name} for service ${serviceKey(service)} exists but belongs to cluster "${lb.labels[LABEL_CLUSTER_NAME] ?? ''}", not "${clusterName}"`,
      );
    }
    if (lb?.state === 'deleting') {
      throw this.retry(`load balancer ${name} is still being deleted; it will be recreated`);
    }
    const reason = lb && replacementReason(lb, desired);
    if (lb && reason) {
      await this.deleteById(lb.id);
      this.settings.logger.info('replacing load balancer', { name, reason });
      throw this.retry(`load balancer ${name} is being replaced because ${reason}`);
    }
    const backendIds = await this.backendIds(nodes);
    if (!lb) {
      try {
        lb = await this.create(name, clusterName, service, desired, backendIds);
        return this.statusOrRetry(lb, desired);
      } catch (error) {
        lb = error instanceof AlreadyExistsError ? await this.lookup(name) : undefined;
        if (!lb || !owned(lb, clusterName)) {
          throw error;
        }
      }
    }
    if (specDiffers(lb, desired, backendIds)) {
      lb = await this.put(lb, desired, backendIds);
    }
    return this.statusOrRetry(lb, desired);
  }

  async updateLoadBalancer(
    clusterName: string,
    service: ProviderService,
    nodes: ProviderNode[],
  ): Promise<void> {
    const name = this.getLoadBalancerName(clusterName, service);
    const lb = await this.lookup(name);
    if (!lb || !owned(lb, clusterName)) {
      throw new CloudProviderError(
        `load balancer ${name} for service ${serviceKey(service)} not found`,
      );
    }
    const wanted = new Set(await this.backendIds(nodes));
    const current = new Set(lb.backends.map((b) => b.instanceId));
    const removed = [...current].filter((id) => !wanted.has(id));
    const added = [...wanted].filter((id) => !current.has(id));
    if (removed.length > 0) {
      await this.client.loadBalancers.removeBackends(lb.id, removed);
    }
    if (added.length > 0) {
      await this.withoutRejectedBackends(added, async (ids) => {
        if (ids.length > 0) {
          await this.client.loadBalancers.addBackends(lb.id, ids);
        }
      });
    }
  }

  async ensureLoadBalancerDeleted(clusterName: string, service: ProviderService): Promise<void> {
    const name = this.getLoadBalancerName(clusterName, service);
    const lb = await this.lookup(name);
    if (!lb || !owned(lb, clusterName) || lb.state === 'deleting') {
      return;
    }
    await this.deleteById(lb.id);
    // The Service is going: forget its name rather than keep every deleted Service's.
    this.known.delete(name);
  }

  private async lookup(name: string): Promise<LoadBalancerDto | undefined> {
    const lb = await this.client.loadBalancers.getByName(name);
    if (lb) {
      this.known.add(name);
    } else {
      this.known.delete(name);
    }
    return lb;
  }

  /** The new load balancer, or undefined when one of that name exists already. */
  private async createUnlessExists(
    name: string,
    clusterName: string,
    service: ProviderService,
    desired: DesiredLoadBalancer,
    nodes: ProviderNode[],
  ): Promise<LoadBalancerDto | undefined> {
    try {
      return await this.create(name, clusterName, service, desired, await this.backendIds(nodes));
    } catch (error) {
      if (error instanceof AlreadyExistsError) {
        return undefined;
      }
      throw error;
    }
  }

  private async deleteById(id: string): Promise<void> {
    try {
      await this.client.loadBalancers.delete(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        throw error;
      }
    }
  }

  private async create(
    name: string,
    clusterName: string,
    service: ProviderService,
    desired: DesiredLoadBalancer,
    backendIds: string[],
  ): Promise<LoadBalancerDto> {
    const region = (await this.regionInfo()).name;
    const meta = service.metadata ?? {};
    const labels = {
      [LABEL_CLUSTER_NAME]: labelValue(clusterName),
      [LABEL_SERVICE_NAMESPACE]: labelValue(meta.namespace ?? ''),
      [LABEL_SERVICE_NAME]: labelValue(meta.name ?? ''),
      [LABEL_SERVICE_UID]: labelValue(meta.uid ?? ''),
    };
    return this.withoutRejectedBackends(backendIds, async (ids) => {
      const res = await this.client.loadBalancers.create({
        name,
        region,
        labels,
        ipFamilies: desired.ipFamilies,
        requestedIp: desired.requestedIp,
        ...specBody(desired, ids),
      });
      this.known.add(name);
      return res.loadBalancer;
    });
  }

  private put(
    lb: LoadBalancerDto,
    desired: DesiredLoadBalancer,
    backendIds: string[],
  ): Promise<LoadBalancerDto> {
    return this.withoutRejectedBackends(backendIds, async (ids) => {
      const res = await this.client.loadBalancers.update(lb.id, specBody(desired, ids));
      return res.loadBalancer;
    });
  }

  /**
   * Runs `op` with the backend ids; when the cloud rejects one of them (terminated, shutting
   * down, unknown, other region — e.g. a node whose instance just went away), drops it and
   * tries again, so one dead node never blocks the load balancer.
   */
  private async withoutRejectedBackends<T>(
    ids: string[],
    op: (ids: string[]) => Promise<T>,
  ): Promise<T> {
    let current = ids;
    for (;;) {
      try {
        return await op(current);
      } catch (error) {
        const bad = rejectedBackend(error, current);
        if (bad === undefined) {
          throw error;
        }
        this.settings.logger.warn('dropping a backend the cloud rejected', {
          instanceId: bad,
          error: (error as Error).message,
        });
        current = current.filter((id) => id !== bad);
      }
    }
  }

  /** The instances behind the nodes, in the load balancer's region, sorted and unique. */
  private async backendIds(nodes: ProviderNode[]): Promise<string[]> {
    const region = await this.regionInfo();
    const ids = await Promise.all(
      nodes.map(async (node): Promise<string | undefined> => {
        const providerID = node.spec?.providerID ?? '';
        if (isNimbusProviderID(providerID)) {
          const parsed = parseProviderID(providerID);
          return parsed.zone === undefined || region.zones.has(parsed.zone)
            ? parsed.instanceId
            : undefined;
        }
        // No providerID yet, or another provider's (kind://…): by name, adopting when allowed.
        const instance = await this.finder.forNode(node).catch((error: unknown) => {
          if (!(error instanceof NodeAdoptionError)) {
            throw error;
          }
          this.settings.logger.warn('skipping a node that cannot be adopted', {
            node: node.metadata?.name,
            error: error.message,
          });
          return undefined;
        });
        return instance?.region === region.name ? instance.id : undefined;
      }),
    );
    return [...new Set(ids.filter((id): id is string => id !== undefined))].sort();
  }

  private regionInfo(): Promise<RegionInfo> {
    this.region ??= this.client.catalog.regions().then(
      (regions) => {
        const wanted = this.settings.region;
        const region = wanted === undefined ? regions[0] : regions.find((r) => r.name === wanted);
        if (!region) {
          throw new CloudProviderError(
            `region ${wanted ?? '(any)'} is not one of the cloud's regions (${regions.map((r) => r.name).join(', ')})`,
          );
        }
        return { name: region.name, zones: new Set(region.zones) };
      },
      (error: unknown) => {
        this.region = undefined;
        throw error;
      },
    );
    return this.region;
  }

  private statusOrRetry(lb: LoadBalancerDto, desired: DesiredLoadBalancer): LoadBalancerStatus {
    if (lb.state !== 'active') {
      throw this.retry(`load balancer ${lb.name} is ${lb.state}`);
    }
    return this.status(lb, desired.ipFamilies);
  }

  /** One ingress entry per public IP, in the Service's family order. */
  private status(lb: LoadBalancerDto, families: string[]): LoadBalancerStatus {
    const rank = (family: string): number => {
      const i = families.indexOf(family);
      return i < 0 ? families.length : i;
    };
    const ips = [...lb.publicIps].sort((a, b) => rank(a.ipFamily) - rank(b.ipFamily));
    return { ingress: ips.map((p) => ({ ip: p.ip, ipMode: this.settings.ipMode })) };
  }

  private retry(message: string): RetryError {
    return new RetryError(message, this.settings.retryAfterMs);
  }
}

function hasIngress(service: ProviderService): boolean {
  return (service.status?.loadBalancer?.ingress?.length ?? 0) > 0;
}

function owned(lb: LoadBalancerDto, clusterName: string): boolean {
  return lb.labels[LABEL_CLUSTER_NAME] === labelValue(clusterName);
}

function specBody(desired: DesiredLoadBalancer, backendIds: string[]): UpdateLoadBalancerRequest {
  return {
    listeners: desired.listeners,
    backends: backendIds.map((instanceId) => ({ instanceId })),
    healthCheck: desired.healthCheck,
    algorithm: desired.algorithm,
    sessionAffinity: desired.sessionAffinity,
    allowedSourceRanges: desired.allowedSourceRanges,
  };
}

/** The backend id a cloud error rejects, if the error is about one of `sent`. */
function rejectedBackend(error: unknown, sent: string[]): string | undefined {
  if (error instanceof InvalidArgumentError) {
    for (const violation of error.fieldViolations) {
      const match = /^(?:backends|instanceIds)\[(\d+)\]/.exec(violation.field);
      if (match && Number(match[1]) < sent.length) {
        return sent[Number(match[1])];
      }
    }
  }
  if (error instanceof FailedPreconditionError) {
    const match = /backend instance (\S+) is/.exec(error.detail);
    if (match && sent.includes(match[1])) {
      return match[1];
    }
  }
  return undefined;
}

import {
  isImplementedElsewhere,
  type LoadBalancer,
  type LoadBalancerStatus,
} from '@app/cloud-provider';
import {
  EventType,
  errorMessage,
  noopLogger,
  objectReference,
  splitMetaNamespaceKey,
  type Logger,
} from '@app/controller-runtime';
import {
  LB_CONDITION_TYPES,
  failedConditions,
  hasLoadBalancerConditions,
  provisioningConditions,
  servingConditions,
  type ServiceCondition,
} from './load-balancer-conditions';
import { stableLoadBalancerNodes } from './node-predicates';
import { OpaqueError } from './service-errors';
import type { ServiceCache } from './service-cache';
import { ServiceEvents } from './service-events';
import {
  LOAD_BALANCER_CLEANUP_FINALIZER,
  deepEqual,
  hasLoadBalancerFinalizer,
  needsCleanup,
  wantsLoadBalancer,
} from './service-predicates';
import type {
  LoadBalancerIngress,
  Lister,
  Node,
  Service,
  ServiceEventRecorder,
  ServiceWriter,
} from './service-types';

export interface ServiceSyncDeps {
  clusterName: string;
  balancer: LoadBalancer;
  services: Lister<Service>;
  nodes: Lister<Node>;
  writer: ServiceWriter;
  recorder: ServiceEventRecorder;
  cache: ServiceCache;
  logger?: Logger;
  /**
   * KEP-4631's LoadBalancerServing / LoadBalancerProvisioning conditions (feature gate
   * LoadBalancerStatusImprovements, off by default as the KEP proposes); their times come from
   * `now`.
   */
  statusConditions?: { now: () => number };
}

type Operation = 'ensure' | 'delete';

/** Upstream's syncService: one service key → ensure or delete its load balancer. */
export class ServiceSync {
  private readonly logger: Logger;

  constructor(private readonly deps: ServiceSyncDeps) {
    this.logger = deps.logger ?? noopLogger;
  }

  /** Throws to retry: errors carrying a RetryError (as `cause`) retry after exactly its delay. */
  async syncService(key: string): Promise<void> {
    splitMetaNamespaceKey(key);
    const service = this.deps.services.get(key);
    if (!service) {
      await this.processServiceDeletion(key);
      return;
    }
    // Never modify informer objects: the sync works on a copy whose finalizers it may update.
    await this.processServiceCreateOrUpdate(copyOf(service), key);
  }

  /** Deletion seen without a finalizer (legacy path): clean up what the cache remembers. */
  private async processServiceDeletion(key: string): Promise<void> {
    const cached = this.deps.cache.get(key);
    if (!cached) {
      return;
    }
    this.logger.info(
      { service: key },
      `Service ${key} has been deleted. Attempting to cleanup load balancer resources`,
    );
    await this.processLoadBalancerDelete(cached);
    this.deps.cache.delete(key);
  }

  private async processLoadBalancerDelete(service: Service): Promise<void> {
    if (!wantsLoadBalancer(service)) {
      return;
    }
    this.event(service, EventType.Normal, ServiceEvents.deleting);
    try {
      await this.deps.balancer.ensureLoadBalancerDeleted(this.deps.clusterName, service);
    } catch (err) {
      this.event(service, EventType.Warning, {
        reason: ServiceEvents.deleteFailed.reason,
        message: ServiceEvents.deleteFailed.message(errorMessage(err)),
      });
      throw err;
    }
    this.event(service, EventType.Normal, ServiceEvents.deleted);
  }

  private async processServiceCreateOrUpdate(service: Service, key: string): Promise<void> {
    const cached = this.deps.cache.get(key);
    if (cached && cached.metadata?.uid !== service.metadata?.uid) {
      // Deleted and re-created quickly without a finalizer: the old LB goes first.
      await this.processLoadBalancerDelete(cached);
    }
    this.deps.cache.set(key, service);
    let op: Operation;
    try {
      op = await this.syncLoadBalancerIfNeeded(service, key);
    } catch (err) {
      this.event(service, EventType.Warning, {
        reason: ServiceEvents.syncFailed.reason,
        message: ServiceEvents.syncFailed.message(errorMessage(err)),
      });
      throw err;
    }
    if (op === 'delete') {
      this.deps.cache.delete(key);
    }
  }

  private async syncLoadBalancerIfNeeded(service: Service, key: string): Promise<Operation> {
    const previous = service.status?.loadBalancer?.ingress ?? [];
    let ingress: LoadBalancerIngress[];
    let op: Operation;
    if (!wantsLoadBalancer(service) || needsCleanup(service)) {
      op = 'delete';
      ingress = [];
      await this.deleteLoadBalancer(service, key);
      if (
        this.deps.statusConditions &&
        hasLoadBalancerConditions(service) &&
        !needsCleanup(service)
      ) {
        await this.writeConditions(service, [], LB_CONDITION_TYPES);
      }
    } else {
      op = 'ensure';
      const conditions = this.deps.statusConditions;
      if (conditions) {
        await this.writeConditions(service, provisioningConditions(service, conditions.now()));
      }
      let status: Awaited<ReturnType<ServiceSync['ensureLoadBalancerWithFinalizer']>>;
      try {
        status = await this.ensureLoadBalancerWithFinalizer(service, key);
      } catch (err) {
        if (conditions) {
          await this.writeConditions(service, failedConditions(service, err, conditions.now()));
        }
        throw err;
      }
      if (status === 'implemented-elsewhere') {
        return op;
      }
      ingress = status.ingress;
    }
    if (!ingressEqual(previous, ingress)) {
      try {
        await this.deps.writer.patchLoadBalancerStatus(service, ingress);
      } catch (err) {
        // The service may vanish right after its finalizer is removed.
        if (httpStatusOf(err) !== 404) {
          throw new OpaqueError(`failed to update load balancer status: ${errorMessage(err)}`, err);
        }
      }
    }
    if (op === 'ensure' && this.deps.statusConditions) {
      await this.writeConditions(
        service,
        servingConditions(service, this.deps.statusConditions.now()),
      );
    }
    return op;
  }

  /**
   * Writes KEP-4631 conditions (nothing when `set` is undefined and nothing is removed) and keeps
   * the working copy in step, so the sync's later steps compare against what it wrote.
   */
  private async writeConditions(
    service: Service,
    set: ServiceCondition[] | undefined,
    removeTypes: readonly string[] = [],
  ): Promise<void> {
    if (!set && removeTypes.length === 0) {
      return;
    }
    const conditions = set ?? [];
    try {
      await this.deps.writer.patchConditions(service, conditions, removeTypes);
    } catch (err) {
      if (httpStatusOf(err) === 404) {
        return;
      }
      throw new OpaqueError(`failed to update load balancer conditions: ${errorMessage(err)}`, err);
    }
    const types = new Set([...conditions.map((c) => c.type), ...removeTypes]);
    const kept = (service.status?.conditions ?? []).filter((c) => !types.has(c.type));
    service.status = { ...service.status, conditions: [...kept, ...conditions] as never };
  }

  private async deleteLoadBalancer(service: Service, key: string): Promise<void> {
    const { clusterName, balancer } = this.deps;
    let exists: boolean;
    try {
      ({ exists } = await balancer.getLoadBalancer(clusterName, service));
    } catch (err) {
      throw new OpaqueError(
        `failed to check if load balancer exists before cleanup: ${errorMessage(err)}`,
        err,
      );
    }
    if (exists) {
      this.logger.info({ service: key }, `Deleting existing load balancer for service ${key}`);
      this.event(service, EventType.Normal, ServiceEvents.deleting);
      try {
        await balancer.ensureLoadBalancerDeleted(clusterName, service);
      } catch (err) {
        if (!isImplementedElsewhere(err)) {
          throw new OpaqueError(`failed to delete load balancer: ${errorMessage(err)}`, err);
        }
      }
    }
    // Always drop the finalizer once the LB is gone, so the Service can be deleted.
    try {
      await this.removeFinalizer(service);
    } catch (err) {
      throw new OpaqueError(
        `failed to remove load balancer cleanup finalizer: ${errorMessage(err)}`,
        err,
      );
    }
    this.event(service, EventType.Normal, ServiceEvents.deleted);
  }

  private async ensureLoadBalancerWithFinalizer(
    service: Service,
    key: string,
  ): Promise<LoadBalancerStatus | 'implemented-elsewhere'> {
    this.logger.info({ service: key }, `Ensuring load balancer for service ${key}`);
    this.event(service, EventType.Normal, ServiceEvents.ensuring);
    // The finalizer goes on before the LB exists, so the Service cannot vanish without cleanup.
    try {
      await this.addFinalizer(service);
    } catch (err) {
      throw new OpaqueError(
        `failed to add load balancer cleanup finalizer: ${errorMessage(err)}`,
        err,
      );
    }
    const nodes = stableLoadBalancerNodes(this.deps.nodes.list());
    if (nodes.length === 0) {
      this.event(service, EventType.Warning, ServiceEvents.unavailable);
    }
    this.deps.cache.storeLastSyncedNodes(key, nodes);
    let status: LoadBalancerStatus | undefined;
    try {
      status = await this.deps.balancer.ensureLoadBalancer(this.deps.clusterName, service, nodes);
    } catch (err) {
      if (isImplementedElsewhere(err)) {
        return 'implemented-elsewhere';
      }
      // Keep the cause so a RetryError still decides the requeue delay (Go's %w).
      throw new Error(`failed to ensure load balancer: ${errorMessage(err)}`, { cause: err });
    }
    if (!status) {
      throw new Error('service status returned by EnsureLoadBalancer is nil');
    }
    this.event(service, EventType.Normal, ServiceEvents.ensured);
    return status;
  }

  private async addFinalizer(service: Service): Promise<void> {
    if (hasLoadBalancerFinalizer(service)) {
      return;
    }
    const finalizers = [...(service.metadata?.finalizers ?? []), LOAD_BALANCER_CLEANUP_FINALIZER];
    await this.deps.writer.patchFinalizers(service, finalizers);
    service.metadata = { ...service.metadata, finalizers };
  }

  private async removeFinalizer(service: Service): Promise<void> {
    if (!hasLoadBalancerFinalizer(service)) {
      return;
    }
    const finalizers = (service.metadata?.finalizers ?? []).filter(
      (f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER,
    );
    await this.deps.writer.patchFinalizers(service, finalizers);
    service.metadata = { ...service.metadata, finalizers };
  }

  private event(
    service: Service,
    type: EventType,
    { reason, message }: { reason: string; message: string },
  ): void {
    this.deps.recorder.event(
      objectReference(service, { apiVersion: 'v1', kind: 'Service' }),
      type,
      reason,
      message,
    );
  }
}

function copyOf(service: Service): Service {
  return { ...service, metadata: { ...service.metadata } };
}

/** servicehelper.LoadBalancerStatusEqual: only the ingress list counts. */
function ingressEqual(
  a: readonly LoadBalancerIngress[],
  b: readonly LoadBalancerIngress[],
): boolean {
  return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
}

/** The HTTP status an API error carries (client-node's ApiException has `code`). */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  const status = typeof statusCode === 'number' ? statusCode : code;
  return typeof status === 'number' ? status : undefined;
}

import type { LoadBalancer } from '@app/cloud-provider';
import {
  Controller,
  ItemExponentialFailureRateLimiter,
  errorMessage,
  noopLogger,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { Registry } from 'prom-client';
import { shouldSyncUpdatedNode } from './node-predicates';
import { NodeSync } from './node-sync';
import { ServiceCache } from './service-cache';
import { serviceRetryAfterOf } from './service-errors';
import { ServiceControllerMetrics } from './service-metrics';
import { needsCleanup, needsUpdate, wantsLoadBalancer } from './service-predicates';
import { ServiceSync } from './service-sync';
import type {
  CachedInformer,
  Node,
  Service,
  ServiceEventRecorder,
  ServiceWriter,
} from './service-types';

/** Upstream's per-service retry: 5 s doubling up to 300 s. */
export const SERVICE_MIN_RETRY_DELAY_MS = 5_000;
export const SERVICE_MAX_RETRY_DELAY_MS = 300_000;

export interface ServiceControllerOptions {
  /** `--cluster-name`. */
  clusterName: string;
  balancer: LoadBalancer;
  services: CachedInformer<Service>;
  nodes: CachedInformer<Node>;
  writer: ServiceWriter;
  /** A recorder with source component `service-controller`. */
  recorder: ServiceEventRecorder;
  scheduler: Scheduler;
  /** `--concurrent-service-syncs` (default 1). */
  workers?: number;
  logger?: Logger;
  registry?: Registry;
  /** KEP-4631's Service conditions (feature gate LoadBalancerStatusImprovements). */
  statusConditions?: { now: () => number };
}

/**
 * The service (load balancer) controller of k8s.io/cloud-provider: `workers` service workers on
 * the "service" queue plus one node worker on the "node" queue, started once both caches synced.
 */
export class ServiceController {
  readonly serviceQueue: Controller;
  readonly nodeQueue: Controller;
  private readonly serviceSync: ServiceSync;
  private readonly nodeSync: NodeSync;

  constructor(private readonly options: ServiceControllerOptions) {
    const logger = options.logger ?? noopLogger;
    const workers = Math.max(1, options.workers ?? 1);
    const cache = new ServiceCache();
    const metrics = new ServiceControllerMetrics(options.registry);
    this.serviceSync = new ServiceSync({ ...options, cache, logger });
    this.nodeSync = new NodeSync({ ...options, cache, metrics, workers, logger });
    const shared = {
      scheduler: options.scheduler,
      logger,
      registry: options.registry,
      waitFor: [options.services, options.nodes],
      retryAfterOf: serviceRetryAfterOf,
    };
    this.serviceQueue = new Controller({
      ...shared,
      name: 'service-lb-controller',
      queueName: 'service',
      workers,
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(
        SERVICE_MIN_RETRY_DELAY_MS,
        SERVICE_MAX_RETRY_DELAY_MS,
      ),
      reconcile: (key) => this.serviceSync.syncService(key),
    });
    this.nodeQueue = new Controller({
      ...shared,
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(
        SERVICE_MIN_RETRY_DELAY_MS,
        SERVICE_MAX_RETRY_DELAY_MS,
      ),
      name: 'service-lb-controller-nodes',
      queueName: 'node',
      workers: 1,
      reconcile: () => this.syncNodes(logger),
    });
    this.serviceQueue.watch(options.services, {
      // Adds also catch deletions missed while the controller was down.
      add: (svc) => wantsLoadBalancer(svc) || needsCleanup(svc),
      update: (old, svc) => needsUpdate(old, svc) || needsCleanup(svc),
      // Deletions arrive as updates (finalizer); upstream has no delete handler.
      delete: false,
    });
    // Each queued node key runs one sync over all LB services (as upstream's nodeQueue).
    this.nodeQueue.watch(options.nodes, {
      update: (old, cur) => shouldSyncUpdatedNode(old, cur),
    });
  }

  /** Waits for the Service and Node caches, then starts the workers. */
  async start(): Promise<boolean> {
    const [services, nodes] = await Promise.all([
      this.serviceQueue.start(),
      this.nodeQueue.start(),
    ]);
    return services && nodes;
  }

  async stop(timeoutMs?: number): Promise<void> {
    await Promise.all([this.serviceQueue.stop(timeoutMs), this.nodeQueue.stop(timeoutMs)]);
  }

  /** Never fails: services whose host update failed go back on the service queue. */
  private async syncNodes(logger: Logger): Promise<void> {
    try {
      for (const key of await this.nodeSync.syncNodes()) {
        this.serviceQueue.enqueueKey(key);
      }
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'node sync failed');
    }
  }
}

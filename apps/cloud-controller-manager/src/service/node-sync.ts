import { isImplementedElsewhere, type LoadBalancer } from '@app/cloud-provider';
import {
  EventType,
  errorMessage,
  noopLogger,
  objectReference,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  loggableNodeNames,
  nodesSufficientlyEqual,
  stableLoadBalancerNodes,
} from './node-predicates';
import { parallelize } from './parallelize';
import type { ServiceControllerMetrics } from './service-metrics';
import type { ServiceCache } from './service-cache';
import { ServiceEvents } from './service-events';
import { goList, wantsLoadBalancer } from './service-predicates';
import type { Lister, Node, Service, ServiceEventRecorder } from './service-types';

export interface NodeSyncDeps {
  clusterName: string;
  balancer: LoadBalancer;
  nodes: Lister<Node>;
  recorder: ServiceEventRecorder;
  cache: ServiceCache;
  /** `--concurrent-service-syncs`: how many services are updated at once. */
  workers: number;
  scheduler: Scheduler;
  metrics: ServiceControllerMetrics;
  logger?: Logger;
}

/**
 * Upstream's syncNodes: after a node-set change, hand every load-balancer service whose eligible
 * nodes changed its new backend set (UpdateLoadBalancer). Returns the keys whose update failed;
 * the controller re-queues those for a full Ensure.
 */
export class NodeSync {
  private readonly logger: Logger;

  constructor(private readonly deps: NodeSyncDeps) {
    this.logger = deps.logger ?? noopLogger;
  }

  async syncNodes(): Promise<Set<string>> {
    const started = this.deps.scheduler.now();
    const services = this.deps.cache.entries();
    const nodes = this.deps.nodes.list();
    const retry = new Set<string>();
    await parallelize(this.deps.workers, services, async ([key, service]) => {
      const oldNodes = this.deps.cache.lastSyncedNodes(key);
      this.deps.cache.storeLastSyncedNodes(key, nodes);
      if (await this.nodeSyncService(key, service, oldNodes, nodes)) {
        retry.add(key);
      }
    });
    this.deps.metrics.nodeSyncLatency?.observe((this.deps.scheduler.now() - started) / 1000);
    this.logger.debug(
      { services: services.length, retries: retry.size },
      'Finished updating load balancer hosts',
    );
    return retry;
  }

  /** True when the update failed and the service needs a full sync. */
  private async nodeSyncService(
    key: string,
    service: Service,
    oldNodes: readonly Node[],
    allNodes: readonly Node[],
  ): Promise<boolean> {
    if (!wantsLoadBalancer(service)) {
      return false;
    }
    const hosts = stableLoadBalancerNodes(allNodes);
    if (nodesSufficientlyEqual(stableLoadBalancerNodes(oldNodes), hosts)) {
      return false;
    }
    try {
      await this.updateLoadBalancerHosts(service, hosts);
      return false;
    } catch (err) {
      this.deps.metrics.nodeSyncErrorCount?.inc();
      this.logger.error(
        { service: key, err: errorMessage(err) },
        `failed to update load balancer hosts for service ${key}`,
      );
      return true;
    }
  }

  private async updateLoadBalancerHosts(service: Service, hosts: Node[]): Promise<void> {
    const { balancer, clusterName, recorder } = this.deps;
    const ref = objectReference(service, { apiVersion: 'v1', kind: 'Service' });
    const started = this.deps.scheduler.now();
    this.deps.metrics.loadBalancerSyncCount?.inc();
    try {
      await balancer.updateLoadBalancer(clusterName, service, hosts);
    } catch (err) {
      if (isImplementedElsewhere(err)) {
        return;
      }
      // Only an error if the load balancer still exists.
      try {
        const { exists } = await balancer.getLoadBalancer(clusterName, service);
        if (!exists) {
          return;
        }
      } catch (getErr) {
        this.logger.error(
          { err: errorMessage(getErr) },
          'failed to check if load balancer exists for service',
        );
      }
      recorder.event(
        ref,
        EventType.Warning,
        ServiceEvents.updateFailed.reason,
        ServiceEvents.updateFailed.message(
          goList(loggableNodeNames(hosts)),
          hosts.length,
          errorMessage(err),
        ),
      );
      throw err;
    } finally {
      this.deps.metrics.updateLoadBalancerHostLatency?.observe(
        (this.deps.scheduler.now() - started) / 1000,
      );
    }
    const done = hosts.length === 0 ? ServiceEvents.unavailable : ServiceEvents.updated;
    recorder.event(
      ref,
      hosts.length === 0 ? EventType.Warning : EventType.Normal,
      done.reason,
      done.message,
    );
  }
}

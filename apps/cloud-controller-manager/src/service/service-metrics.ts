import { Counter, Histogram, type Registry } from 'prom-client';

/** prometheus ExponentialBuckets(1, 2, 15): 1 s … 16384 s, as upstream. */
const BUCKETS = Array.from({ length: 15 }, (_, i) => 2 ** i);

/** controllers/service/metrics.go (optional parity; ccm-behaviour §12). */
export class ServiceControllerMetrics {
  readonly nodeSyncLatency?: Histogram;
  readonly updateLoadBalancerHostLatency?: Histogram;
  readonly loadBalancerSyncCount?: Counter;
  readonly nodeSyncErrorCount?: Counter;

  constructor(registry?: Registry) {
    if (!registry) {
      return;
    }
    const histogram = (name: string, help: string) =>
      (registry.getSingleMetric(name) as Histogram | undefined) ??
      new Histogram({ name, help, buckets: BUCKETS, registers: [registry] });
    const counter = (name: string, help: string) =>
      (registry.getSingleMetric(name) as Counter | undefined) ??
      new Counter({ name, help, registers: [registry] });
    this.nodeSyncLatency = histogram(
      'service_controller_nodesync_latency_seconds',
      'A metric measuring the latency for nodesync which updates loadbalancer hosts on cluster node updates.',
    );
    this.updateLoadBalancerHostLatency = histogram(
      'service_controller_update_loadbalancer_host_latency_seconds',
      'A metric measuring the latency for updating each load balancer hosts.',
    );
    this.loadBalancerSyncCount = counter(
      'service_controller_loadbalancer_sync_total',
      'A metric counting the amount of times any load balancer has been configured, as an effect of service/node changes on the cluster',
    );
    this.nodeSyncErrorCount = counter(
      'service_controller_nodesync_error_total',
      'A metric counting the amount of times any load balancer has been configured and errored, as an effect of node changes on the cluster',
    );
  }
}

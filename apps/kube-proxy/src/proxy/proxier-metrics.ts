import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** upstream's exponential buckets for sync durations (metrics.go: 1 ms × 2ⁿ, 15 buckets). */
const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

/**
 * kube-proxy's proxier metrics (pkg/proxy/metrics/metrics.go, subsystem `kubeproxy`), for the
 * one process that proxies every simulated node.
 */
export class ProxierMetrics {
  readonly syncDuration: Histogram;
  readonly lastSync: Gauge;
  readonly lastQueued: Gauge;
  readonly endpointChanges: Counter;
  readonly endpointChangesPending: Gauge;
  readonly serviceChanges: Counter;
  readonly serviceChangesPending: Gauge;
  readonly noLocalEndpoints: Gauge<'traffic_policy'>;

  constructor(registry: Registry) {
    this.syncDuration = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: SYNC_BUCKETS,
      registers: [registry],
    });
    this.lastSync = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
      help: 'The last time proxy rules were successfully synced',
      registers: [registry],
    });
    this.lastQueued = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
      help: 'The last time a sync of proxy rules was queued',
      registers: [registry],
    });
    this.endpointChanges = new Counter({
      name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total',
      help: 'Cumulative proxy rules Endpoint changes',
      registers: [registry],
    });
    this.endpointChangesPending = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
      help: 'Pending proxy rules Endpoint changes',
      registers: [registry],
    });
    this.serviceChanges = new Counter({
      name: 'kubeproxy_sync_proxy_rules_service_changes_total',
      help: 'Cumulative proxy rules Service changes',
      registers: [registry],
    });
    this.serviceChangesPending = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_service_changes_pending',
      help: 'Pending proxy rules Service changes',
      registers: [registry],
    });
    this.noLocalEndpoints = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
      help: 'Number of services with a Local traffic policy and no endpoints',
      labelNames: ['traffic_policy'],
      registers: [registry],
    });
  }
}

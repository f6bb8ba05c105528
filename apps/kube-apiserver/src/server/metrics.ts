import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (own Registry: several servers may share a process). */
export class ApiServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Requests by verb, resource and HTTP code.',
    labelNames: ['verb', 'group', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Request latency (watches excluded).',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly watches = new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Open watch streams.',
    registers: [this.registry],
  });
  readonly resourceVersion = new Gauge({
    name: 'nimbus_kube_current_resource_version',
    help: 'The newest resourceVersion.',
    registers: [this.registry],
  });

  /**
   * Upstream's apiserver_dropped_requests_total: requests the max-in-flight limits refused with
   * 429, by `request_kind` (readOnly, mutating), read from the limiter when scraped.
   */
  countDroppedRequests(dropped: () => { readOnly: number; mutating: number }): void {
    new Counter({
      name: 'apiserver_dropped_requests_total',
      help: 'Requests refused with 429 by the max-in-flight limits, by request kind.',
      labelNames: ['request_kind'] as const,
      registers: [this.registry],
      collect() {
        const now = dropped();
        this.reset();
        this.inc({ request_kind: 'readOnly' }, now.readOnly);
        this.inc({ request_kind: 'mutating' }, now.mutating);
      },
    });
  }

  constructor(defaults = false) {
    if (defaults) {
      collectDefaultMetrics({ register: this.registry });
    }
  }
}

import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackendCounters, Health, VirtualServerSample } from '@app/dataplane';

/** A load balancer's virtual server, status and counters read together. */
export type LoadBalancerSample = VirtualServerSample;

const HEALTH_STATES: Health[] = ['healthy', 'unhealthy', 'unknown'];

/**
 * Per load balancer, listener and backend, read from the data plane at scrape time (nothing is
 * counted twice and a deleted LB's series disappear). Names follow Prometheus conventions
 * (`_total` counters, `_bytes`), the health gauge kube-state-metrics' one-series-per-state style.
 * UDP flows count as connections.
 */
export class LoadBalancerMetrics {
  constructor(registry: Registry, read: () => Promise<LoadBalancerSample[]>) {
    // One read of the data plane per scrape: prom-client collects every metric at once.
    let pending: Promise<LoadBalancerSample[]> | undefined;
    const samples = () => (pending ??= read().finally(() => (pending = undefined)));
    const perBackend = ['load_balancer', 'listener', 'backend'] as const;
    const counter = (name: string, help: string, field: keyof BackendCounters) =>
      new Counter({
        name,
        help,
        labelNames: perBackend,
        registers: [registry],
        async collect() {
          this.reset();
          forEachBackend(await samples(), (labels, c) => this.inc(labels, c[field]));
        },
      });
    counter(
      'nimbus_load_balancer_connections_total',
      'Connections (UDP: flows) forwarded, by load balancer, listener and backend',
      'connections',
    );
    counter(
      'nimbus_load_balancer_received_bytes_total',
      'Bytes received from clients and forwarded to the backend',
      'bytesIn',
    );
    counter(
      'nimbus_load_balancer_sent_bytes_total',
      'Bytes received from the backend and sent to clients',
      'bytesOut',
    );
    counter(
      'nimbus_load_balancer_backend_connect_failures_total',
      'Failed dials to a backend (each retried on another backend when one is left)',
      'connectFailures',
    );
    new Gauge({
      name: 'nimbus_load_balancer_active_connections',
      help: 'Open connections (UDP: live flows), by load balancer, listener and backend',
      labelNames: perBackend,
      registers: [registry],
      async collect() {
        this.reset();
        forEachBackend(await samples(), (labels, c) => this.set(labels, c.active));
      },
    });

    new Counter({
      name: 'nimbus_load_balancer_rejected_connections_total',
      help: 'Connections (UDP: new flows) refused: source_range, no_backend, backend_unreachable, session_limit',
      labelNames: ['load_balancer', 'listener', 'reason'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await samples()) {
          for (const l of s.stats.listeners) {
            for (const [reason, n] of Object.entries(l.rejected)) {
              this.inc({ load_balancer: s.id, listener: l.name, reason }, n);
            }
          }
        }
      },
    });
    new Gauge({
      name: 'nimbus_load_balancer_listener_up',
      help: '1 when the listener is open, 0 when it could not bind (see the API for why)',
      labelNames: ['load_balancer', 'listener'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await samples()) {
          for (const l of s.status.listeners) {
            this.set({ load_balancer: s.id, listener: l.name }, l.state === 'listening' ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: 'nimbus_load_balancer_backend_health',
      help: 'Health of each backend: 1 for its current state, 0 for the others',
      labelNames: ['load_balancer', 'backend', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await samples()) {
          for (const b of s.status.backends) {
            for (const state of HEALTH_STATES) {
              this.set({ load_balancer: s.id, backend: b.id, state }, b.health === state ? 1 : 0);
            }
          }
        }
      },
    });
    new Gauge({
      name: 'nimbus_load_balancer_healthy_backends',
      help: 'Backends taking new connections; 0 means connections are refused',
      labelNames: ['load_balancer'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await samples()) {
          this.set({ load_balancer: s.id }, s.status.eligibleBackends);
        }
      },
    });
    new Counter({
      name: 'nimbus_load_balancer_health_checks_total',
      help: 'Health checks by load balancer, backend and result',
      labelNames: ['load_balancer', 'backend', 'result'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await samples()) {
          for (const [backend, c] of Object.entries(s.stats.healthChecks)) {
            this.inc({ load_balancer: s.id, backend, result: 'success' }, c.successes);
            this.inc({ load_balancer: s.id, backend, result: 'failure' }, c.failures);
          }
        }
      },
    });
  }
}

function forEachBackend(
  samples: LoadBalancerSample[],
  visit: (
    labels: { load_balancer: string; listener: string; backend: string },
    c: BackendCounters,
  ) => void,
): void {
  for (const s of samples) {
    for (const l of s.stats.listeners) {
      for (const [backend, c] of Object.entries(l.backends)) {
        visit({ load_balancer: s.id, listener: l.name, backend }, c);
      }
    }
  }
}

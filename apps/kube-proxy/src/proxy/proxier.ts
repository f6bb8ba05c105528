import type { Clock } from '@app/common';
import { errorMessage, type Logger } from '@app/controller-runtime';
import type { DataPlaneHandle, IpvsSchedulerName, VirtualServerSpec } from '@app/dataplane';
import type { EndpointSliceObject, InformerAdapter, ServiceObject } from '@app/kube-client';
import type { NodeProxy } from '../node-proxy';
import { SERVICE_NAME_LABEL } from './endpoints';
import { proxyRules } from './proxy-rules';
import type { ProxierMetrics } from './proxier-metrics';

export interface ProxierOptions {
  services: InformerAdapter<ServiceObject>;
  slices: InformerAdapter<EndpointSliceObject>;
  /** The node proxies serving now (their addresses and health). */
  nodes(): NodeProxy[];
  plane: DataPlaneHandle;
  scheduler: IpvsSchedulerName;
  metrics: ProxierMetrics;
  clock: Clock;
  logger: Logger;
  /** Syncs run at most this often (`--min-sync-period`, upstream 1 s). */
  minSyncPeriodMs: number;
  /** And at least this often (`--sync-period`, upstream 30 s): failed binds are retried. */
  syncPeriodMs: number;
}

/**
 * The user-space proxier: after Service, EndpointSlice or node changes (at most every
 * minSyncPeriod, and every syncPeriod regardless, as upstream's BoundedFrequencyRunner) it
 * recomputes every rule (proxyRules) and applies the differences to the data plane — a virtual
 * server that stays keeps its sockets and its connections to endpoints that stay — and to the
 * nodes' healthCheckNodePort servers. Each node's proxier health is `queued` on a change and
 * `updated` after the sync that includes it.
 */
export class Proxier {
  private readonly applied = new Map<string, string>();
  private readonly reportedFailures = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private lastSyncAt = 0;
  private pendingServices = 0;
  private pendingEndpoints = 0;
  private closed = false;

  constructor(private readonly o: ProxierOptions) {}

  serviceChanged(): void {
    this.pendingServices++;
    this.o.metrics.serviceChanges.inc();
    this.o.metrics.serviceChangesPending.set(this.pendingServices);
    this.queue();
  }

  endpointsChanged(slice: EndpointSliceObject): void {
    if (!slice.metadata?.labels?.[SERVICE_NAME_LABEL]) {
      return;
    }
    this.pendingEndpoints++;
    this.o.metrics.endpointChanges.inc();
    this.o.metrics.endpointChangesPending.set(this.pendingEndpoints);
    this.queue();
  }

  /** A node proxy started or stopped (or its node changed). */
  nodesChanged(): void {
    this.queue();
  }

  /** Runs the first sync (after the informers synced) and the periodic ones. */
  async start(): Promise<void> {
    await this.runNow();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Resolves once every change queued so far is synced (tests, benches). */
  async flush(): Promise<void> {
    while (this.running || this.dirty) {
      if (!this.running) {
        await this.runNow();
      } else {
        await this.running;
      }
    }
  }

  private queue(): void {
    if (this.closed) {
      return;
    }
    const now = this.o.clock.now();
    this.o.metrics.lastQueued.set(now / 1000);
    for (const node of this.o.nodes()) {
      node.health.queued(now);
    }
    this.dirty = true;
    if (this.running) {
      return; // the running sync runs again when it ends
    }
    const wait = Math.max(0, this.lastSyncAt + this.o.minSyncPeriodMs - performance.now());
    this.arm(wait);
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runNow(), delayMs);
    this.timer.unref();
  }

  private runNow(): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }
    if (this.running) {
      return this.running;
    }
    clearTimeout(this.timer);
    this.dirty = false;
    this.running = this.sync()
      .catch((err: unknown) =>
        this.o.logger.error({ err: errorMessage(err) }, 'Failed to sync proxy rules'),
      )
      .finally(() => {
        this.running = undefined;
        this.lastSyncAt = performance.now();
        if (this.closed) {
          return;
        }
        this.arm(this.dirty ? this.o.minSyncPeriodMs : this.o.syncPeriodMs);
      });
    return this.running;
  }

  private async sync(): Promise<void> {
    const started = performance.now();
    const nodes = this.o.nodes();
    const slices = new Map<string, EndpointSliceObject[]>();
    for (const slice of this.o.slices.list()) {
      const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!service) {
        continue;
      }
      const key = `${slice.metadata?.namespace ?? ''}/${service}`;
      slices.set(key, [...(slices.get(key) ?? []), slice]);
    }
    this.pendingServices = 0;
    this.pendingEndpoints = 0;
    const rules = proxyRules({
      services: this.o.services.list(),
      slices,
      nodes: nodes.map((n) => ({ name: n.nodeName, address: n.address, podCIDRs: n.podCIDRs })),
      scheduler: this.o.scheduler,
    });
    for (const id of this.o.plane.ids()) {
      if (!rules.servers.has(id)) {
        await this.o.plane.remove(id);
        this.applied.delete(id);
        this.reportedFailures.delete(id);
      }
    }
    for (const [id, spec] of rules.servers) {
      await this.apply(id, spec);
    }
    for (const node of nodes) {
      await node.syncServiceHealth(rules.healthChecks.get(node.nodeName) ?? []);
    }
    const now = this.o.clock.now();
    for (const node of nodes) {
      node.health.updated(now);
    }
    this.o.metrics.serviceChangesPending.set(0);
    this.o.metrics.endpointChangesPending.set(0);
    this.o.metrics.noLocalEndpoints.set({ traffic_policy: 'external' }, rules.noLocalEndpoints);
    this.o.metrics.noLocalEndpoints.set(
      { traffic_policy: 'internal' },
      rules.noLocalInternalEndpoints,
    );
    this.o.metrics.lastSync.set(now / 1000);
    const elapsed = (performance.now() - started) / 1000;
    this.o.metrics.syncDuration.observe(elapsed);
    this.o.logger.debug(
      { services: rules.services, virtualServers: rules.servers.size, elapsed },
      'SyncProxyRules complete',
    );
  }

  private async apply(id: string, spec: VirtualServerSpec): Promise<void> {
    const text = JSON.stringify(spec);
    if (this.applied.get(id) === text) {
      return;
    }
    try {
      const status = await this.o.plane.apply(id, spec);
      this.applied.set(id, text);
      const failed = status.listeners.find((l) => l.state === 'failed');
      const message = failed?.message;
      if (message && this.reportedFailures.get(id) !== message) {
        this.reportedFailures.set(id, message);
        // upstream: "can't open port, skipping it" (the port stays closed until it can bind).
        this.o.logger.error({ rule: id, err: message }, "can't open port, skipping it");
      } else if (!message) {
        this.reportedFailures.delete(id);
      }
    } catch (err) {
      this.o.logger.error({ rule: id, err: errorMessage(err) }, 'Failed to program a service port');
    }
  }
}

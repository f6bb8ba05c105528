import { HealthChecker } from './health/health-checker';
import type { Probe, ProbeTarget } from './health/probes';
import { createScheduler } from './schedulers';
import { canonicalSchedulerName, type Candidate, type Scheduler } from './schedulers/scheduler';
import { AffinityTable } from './session-affinity';
import type {
  BackendSpec,
  BackendStatus,
  DataPlaneClock,
  Health,
  HealthCheckSpec,
  VirtualServerSpec,
} from './types';

const NONE: ReadonlySet<string> = new Set();

/** A backend of a virtual server at run time. */
export class Backend implements Candidate {
  address: string;
  port?: number;
  weight: number;
  ready: boolean;
  /** Open TCP connections and live UDP flows (also those still being dialled). */
  active = 0;
  /** No longer configured; its connections drain. */
  removed = false;
  checker?: HealthChecker;

  constructor(
    readonly id: string,
    spec: BackendSpec,
  ) {
    this.address = spec.address;
    this.port = spec.port;
    this.weight = spec.weight ?? 1;
    this.ready = spec.ready ?? true;
  }

  /** Takes new connections: configured, ready, weighted, and healthy if checked. */
  get eligible(): boolean {
    return (
      !this.removed &&
      this.ready &&
      this.weight > 0 &&
      (this.checker === undefined || this.checker.health === 'healthy')
    );
  }

  /** Would be eligible but its first health check has not answered yet. */
  get awaitingFirstCheck(): boolean {
    return !this.removed && this.ready && this.weight > 0 && this.checker?.health === 'unknown';
  }

  get health(): Health {
    if (this.checker) {
      return this.checker.health;
    }
    return this.ready ? 'healthy' : 'unhealthy';
  }
}

export type BackendHealthListener = (
  backend: Backend,
  health: Health,
  previous: Health,
  detail: string,
) => void;

/**
 * The backends of one virtual server: who is eligible (ready, healthy), which one a new
 * connection gets (affinity, then the scheduler), and how many connections each holds.
 */
export class BackendPool {
  private order: Backend[] = [];
  private readonly byId = new Map<string, Backend>();
  private scheduler?: Scheduler;
  private affinity?: AffinityTable;
  private healthSpec?: HealthCheckSpec;

  constructor(
    private readonly clock: DataPlaneClock,
    private readonly onHealth: BackendHealthListener,
    private readonly probe?: Probe,
  ) {}

  /**
   * Applies the backends, scheduler, affinity and health check of `spec`. Backends that stay keep
   * their connections, health and affinity; answers the ones that left (they drain).
   */
  configure(spec: VirtualServerSpec): Backend[] {
    if (this.scheduler?.name !== canonicalSchedulerName(spec.scheduler)) {
      this.scheduler = createScheduler(spec.scheduler);
    }
    if (spec.affinity) {
      if (this.affinity) {
        this.affinity.setTimeout(spec.affinity.timeoutMs);
      } else {
        this.affinity = new AffinityTable(spec.affinity.timeoutMs, this.clock);
      }
    } else {
      this.affinity = undefined;
    }
    this.healthSpec = spec.healthCheck;

    const wanted = new Set(spec.backends.map((b) => b.id));
    const removed = this.order.filter((b) => !wanted.has(b.id));
    for (const backend of removed) {
      this.retire(backend);
    }
    this.order = spec.backends.map((bs) => {
      let backend = this.byId.get(bs.id);
      if (!backend) {
        backend = new Backend(bs.id, bs);
        this.byId.set(bs.id, backend);
      } else {
        backend.address = bs.address;
        backend.port = bs.port;
        backend.weight = bs.weight ?? 1;
        backend.ready = bs.ready ?? true;
      }
      this.configureHealth(backend, spec);
      return backend;
    });
    return removed;
  }

  get backends(): readonly Backend[] {
    return this.order;
  }

  get eligibleCount(): number {
    return this.order.filter((b) => b.eligible).length;
  }

  /**
   * The backend of a new connection from `client`, its `active` count already raised (call
   * `release` when the connection ends or the dial fails). While no backend is eligible but some
   * await their first health check, waits for those answers. Undefined: nobody can take it.
   * `only`: the backend ids this client may use (ClientGroups); absent = all.
   */
  async choose(
    client: string,
    destination: string,
    exclude: ReadonlySet<string> = NONE,
    only?: ReadonlySet<string>,
  ): Promise<Backend | undefined> {
    const usable = (b: Backend) => !exclude.has(b.id) && (only === undefined || only.has(b.id));
    let chosen = this.pick(client, destination, usable);
    if (!chosen) {
      const pending = this.order.filter((b) => b.awaitingFirstCheck && usable(b));
      if (pending.length > 0) {
        await Promise.all(pending.map((b) => b.checker!.whenKnown()));
        chosen = this.pick(client, destination, usable);
      }
    }
    if (chosen) {
      chosen.active++;
    }
    return chosen;
  }

  release(backend: Backend, client: string): void {
    backend.active = Math.max(0, backend.active - 1);
    this.affinity?.touch(client, backend.id);
  }

  /** Refreshes the client's affinity pin (a UDP datagram). */
  touch(client: string, backend: Backend): void {
    this.affinity?.touch(client, backend.id);
  }

  /** A dial failed: let the health check look again now. */
  connectFailed(backend: Backend): void {
    backend.checker?.probeSoon();
  }

  status(): BackendStatus[] {
    return this.order.map((b) => ({
      id: b.id,
      health: b.health,
      since: b.checker?.since,
      detail: b.checker?.detail,
      eligible: b.eligible,
    }));
  }

  healthCounters(): Record<string, { successes: number; failures: number }> {
    const counters: Record<string, { successes: number; failures: number }> = {};
    for (const b of this.order) {
      if (b.checker) {
        counters[b.id] = { ...b.checker.counters };
      }
    }
    return counters;
  }

  sweep(): void {
    this.affinity?.sweep();
  }

  close(): void {
    for (const backend of this.order) {
      this.retire(backend);
    }
    this.order = [];
  }

  private pick(
    client: string,
    destination: string,
    usable: (b: Backend) => boolean,
  ): Backend | undefined {
    const candidates = this.order.filter((b) => b.eligible && usable(b));
    if (candidates.length === 0) {
      return undefined;
    }
    const pinned = this.affinity?.lookup(client);
    if (pinned !== undefined) {
      const backend = candidates.find((b) => b.id === pinned);
      if (backend) {
        this.affinity!.pin(client, backend.id);
        return backend;
      }
    }
    const chosen = this.scheduler!.pick(candidates, { client, destination }) as Backend;
    this.affinity?.pin(client, chosen.id);
    return chosen;
  }

  private retire(backend: Backend): void {
    backend.removed = true;
    backend.checker?.stop();
    backend.checker = undefined;
    this.byId.delete(backend.id);
    this.affinity?.forgetBackend(backend.id);
  }

  private configureHealth(backend: Backend, spec: VirtualServerSpec): void {
    const hc = this.healthSpec;
    if (!hc) {
      backend.checker?.stop();
      backend.checker = undefined;
      return;
    }
    const target: ProbeTarget = {
      address: backend.address,
      port: hc.port ?? backend.port ?? spec.listeners[0]?.targetPort ?? 0,
      protocol: hc.protocol,
      path: hc.protocol === 'HTTP' ? (hc.path ?? '/') : undefined,
    };
    if (backend.checker) {
      backend.checker.reconfigure(target, hc);
      return;
    }
    const checker = new HealthChecker(
      target,
      hc,
      this.clock,
      (health, previous, detail) => this.onHealth(backend, health, previous, detail),
      this.probe,
    );
    backend.checker = checker;
    checker.start();
  }
}

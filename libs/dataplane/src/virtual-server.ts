import { BackendPool, type Backend } from './backend-pool';
import { ClientGroups } from './client-groups';
import type { Probe } from './health/probes';
import type { Listener, ListenerHost } from './listener';
import { createScheduler } from './schedulers';
import { SourceRanges } from './source-ranges';
import { TcpListener } from './tcp-listener';
import type {
  BindPlan,
  DataPlaneClock,
  HealthChange,
  ListenerSpec,
  VirtualServerSpec,
  VirtualServerStats,
  VirtualServerStatus,
} from './types';
import { UdpListener } from './udp-listener';

const DEFAULT_UDP_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_UDP_MAX_SESSIONS = 10_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface VirtualServerOptions {
  clock: DataPlaneClock;
  onHealthChange?: (change: HealthChange) => void;
  probe?: Probe;
}

/** Per-listener introspection: open connections (TCP) or flows (UDP), bytes held in the proxy. */
export interface ListenerInspection {
  name: string;
  open: number;
  bufferedBytes: number;
}

/**
 * One set of listeners forwarding to one set of backends. `apply` reconfigures it in place:
 * listeners that keep their bind stay open, backends that stay keep their connections, health
 * and affinity; removed listeners close (with their connections); removed backends drain.
 * Calls are serialised. A listener that could not bind is retried with backoff.
 */
export class VirtualServer implements ListenerHost {
  readonly clock: DataPlaneClock;
  udpIdleTimeoutMs = DEFAULT_UDP_IDLE_TIMEOUT_MS;
  udpMaxSessions = DEFAULT_UDP_MAX_SESSIONS;
  private readonly pool: BackendPool;
  private readonly listeners = new Map<string, Listener>();
  private sources = new SourceRanges();
  private groups = new ClientGroups();
  private queue: Promise<unknown> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;
  private retryDelay = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly options: VirtualServerOptions,
  ) {
    this.clock = options.clock;
    this.pool = new BackendPool(
      options.clock,
      (backend, health, previous, detail) => this.healthChanged(backend, health, previous, detail),
      options.probe,
    );
  }

  /** Applies a valid `spec` (see validateSpec); answers the status once every listener opened or failed. */
  apply(spec: VirtualServerSpec): Promise<VirtualServerStatus> {
    return this.serialise(() => this.applyNow(spec));
  }

  close(): Promise<void> {
    return this.serialise(async () => {
      this.closed = true;
      clearTimeout(this.retryTimer);
      await Promise.all([...this.listeners.values()].map((l) => l.close()));
      this.listeners.clear();
      this.pool.close();
    });
  }

  status(): VirtualServerStatus {
    return {
      listeners: [...this.listeners.values()].map((l) => ({ ...l.status })),
      backends: this.pool.status(),
      eligibleBackends: this.pool.eligibleCount,
    };
  }

  stats(): VirtualServerStats {
    return {
      listeners: [...this.listeners.values()].map((l) => l.stats()),
      healthChecks: this.pool.healthCounters(),
    };
  }

  inspect(): ListenerInspection[] {
    return [...this.listeners.values()].map((l) => ({
      name: l.spec.name,
      open: l instanceof TcpListener ? l.openConnections : (l as UdpListener).openFlows,
      bufferedBytes: l instanceof TcpListener ? l.bufferedBytes() : 0,
    }));
  }

  /** Time-based upkeep: expired affinity pins, idle UDP flows. */
  sweep(): void {
    this.pool.sweep();
    this.listeners.forEach((l) => l.sweep());
  }

  // ListenerHost

  allows(client: string): boolean {
    return this.sources.allows(client);
  }

  choose(
    client: string,
    destination: string,
    exclude?: ReadonlySet<string>,
  ): Promise<Backend | undefined> {
    return this.pool.choose(client, destination, exclude, this.groups.backendsFor(client));
  }

  release(backend: Backend, client: string): void {
    this.pool.release(backend, client);
  }

  touch(client: string, backend: Backend): void {
    this.pool.touch(client, backend);
  }

  connectFailed(backend: Backend): void {
    this.pool.connectFailed(backend);
  }

  private async applyNow(spec: VirtualServerSpec): Promise<VirtualServerStatus> {
    if (this.closed) {
      throw new Error(`virtual server ${this.id} is closed`);
    }
    this.sources = new SourceRanges(spec.sourceRanges);
    this.groups = new ClientGroups(spec.clientGroups);
    this.udpIdleTimeoutMs = spec.udpIdleTimeoutMs ?? DEFAULT_UDP_IDLE_TIMEOUT_MS;
    this.udpMaxSessions = spec.udpMaxSessions ?? DEFAULT_UDP_MAX_SESSIONS;
    for (const gone of this.pool.configure(spec)) {
      this.listeners.forEach((l) => l.backendUnavailable(gone.id));
    }

    const wanted = new Map(spec.listeners.map((l) => [l.name, l]));
    for (const [name, listener] of [...this.listeners]) {
      const next = wanted.get(name);
      if (!next || !sameSocket(listener.spec, next)) {
        this.listeners.delete(name);
        await listener.close();
      }
    }
    const opening: Promise<void>[] = [];
    for (const ls of spec.listeners) {
      const existing = this.listeners.get(ls.name);
      if (existing) {
        existing.spec = ls;
        if (existing.status.state === 'failed') {
          opening.push(existing.open());
        }
        continue;
      }
      const listener =
        ls.protocol === 'TCP' ? new TcpListener(ls, this) : new UdpListener(ls, this);
      this.listeners.set(ls.name, listener);
      opening.push(listener.open());
    }
    await Promise.all(opening);
    const present = new Set(spec.backends.map((b) => b.id));
    this.listeners.forEach((l) => l.pruneCounters(present));
    this.retryDelay = FIRST_RETRY_MS;
    this.scheduleRetry();
    return this.status();
  }

  /** Failed listeners try again: 1 s, 2 s, 4 s … 30 s. */
  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    if (this.closed || ![...this.listeners.values()].some((l) => l.status.state === 'failed')) {
      return;
    }
    this.retryTimer = setTimeout(() => {
      void this.serialise(async () => {
        if (this.closed) {
          return;
        }
        const failed = [...this.listeners.values()].filter((l) => l.status.state === 'failed');
        await Promise.all(failed.map((l) => l.open()));
        this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
        this.scheduleRetry();
      });
    }, this.retryDelay);
    this.retryTimer.unref();
  }

  private healthChanged(
    backend: Backend,
    health: HealthChange['health'],
    previous: HealthChange['previous'],
    detail: string,
  ): void {
    if (!backend.eligible) {
      this.listeners.forEach((l) => l.backendUnavailable(backend.id));
    }
    this.options.onHealthChange?.({
      virtualServer: this.id,
      backend: backend.id,
      health,
      previous,
      at: this.clock.now(),
      detail,
    });
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Same protocol and bind candidates: the open socket can stay. */
function sameSocket(a: ListenerSpec, b: ListenerSpec): boolean {
  return a.protocol === b.protocol && JSON.stringify(a.bind) === JSON.stringify(b.bind);
}

/** Throws RangeError naming what is wrong; nothing is applied then. */
export function validateSpec(spec: VirtualServerSpec): void {
  const names = new Set<string>();
  for (const l of spec.listeners) {
    if (names.has(l.name)) {
      throw new RangeError(`listener name "${l.name}" is used twice`);
    }
    names.add(l.name);
    if (l.protocol !== 'TCP' && l.protocol !== 'UDP') {
      throw new RangeError(`listener ${l.name}: protocol must be TCP or UDP`);
    }
    if (!l.bind?.address) {
      throw new RangeError(`listener ${l.name}: no bind address`);
    }
    if (!validPort(l.targetPort, 1)) {
      throw new RangeError(`listener ${l.name}: targetPort ${l.targetPort} is not a port`);
    }
    if (!bindPorts(l.bind).every((p) => validPort(p, 0))) {
      throw new RangeError(`listener ${l.name}: a bind port is not a port`);
    }
  }
  const ids = new Set<string>();
  for (const b of spec.backends) {
    if (ids.has(b.id)) {
      throw new RangeError(`backend "${b.id}" is listed twice`);
    }
    ids.add(b.id);
    if (b.port !== undefined && !validPort(b.port, 1)) {
      throw new RangeError(`backend ${b.id}: port ${b.port} is not a port`);
    }
    if (b.weight !== undefined && !(b.weight >= 0)) {
      throw new RangeError(`backend ${b.id}: weight must be ≥ 0`);
    }
  }
  createScheduler(spec.scheduler);
  new SourceRanges(spec.sourceRanges);
  new ClientGroups(spec.clientGroups);
  const hc = spec.healthCheck;
  if (hc) {
    for (const key of [
      'intervalMs',
      'timeoutMs',
      'healthyThreshold',
      'unhealthyThreshold',
    ] as const) {
      if (!(hc[key] > 0)) {
        throw new RangeError(`healthCheck.${key} must be > 0`);
      }
    }
  }
  if (spec.affinity && !(spec.affinity.timeoutMs > 0)) {
    throw new RangeError('affinity.timeoutMs must be > 0');
  }
}

function bindPorts(plan: BindPlan): number[] {
  return [plan.port, ...(plan.fallbacks ?? []).flatMap((f) => bindPorts(f.then))];
}

function validPort(port: number, min: number): boolean {
  return Number.isInteger(port) && port >= min && port <= 65535;
}

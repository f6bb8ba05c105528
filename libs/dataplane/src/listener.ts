import type { Backend } from './backend-pool';
import { bindFirstAvailable, isBindFailure } from './bind';
import type {
  BackendCounters,
  DataPlaneClock,
  ListenerSpec,
  ListenerStats,
  ListenerStatus,
  RejectReason,
} from './types';

/** What a listener needs from its virtual server. */
export interface ListenerHost {
  readonly clock: DataPlaneClock;
  readonly udpIdleTimeoutMs: number;
  readonly udpMaxSessions: number;
  allows(client: string): boolean;
  /** See BackendPool.choose: the chosen backend's `active` is already raised. */
  choose(
    client: string,
    destination: string,
    exclude?: ReadonlySet<string>,
  ): Promise<Backend | undefined>;
  release(backend: Backend, client: string): void;
  touch(client: string, backend: Backend): void;
  connectFailed(backend: Backend): void;
}

export function emptyCounters(): BackendCounters {
  return { connections: 0, active: 0, bytesIn: 0, bytesOut: 0, connectFailures: 0 };
}

function emptyRejections(): Record<RejectReason, number> {
  return { source_range: 0, no_backend: 0, backend_unreachable: 0, session_limit: 0 };
}

/** State shared by the TCP and UDP listeners: spec, status, counters, binding. */
export abstract class Listener<Handle = unknown> {
  status: ListenerStatus;
  protected readonly rejected = emptyRejections();
  protected readonly counters = new Map<string, BackendCounters>();

  constructor(
    public spec: ListenerSpec,
    protected readonly host: ListenerHost,
  ) {
    this.status = { name: spec.name, protocol: spec.protocol, state: 'opening' };
  }

  /** Binds (the plan's address, then its fallbacks); the outcome is in `status`. */
  async open(): Promise<void> {
    this.status = { name: this.spec.name, protocol: this.spec.protocol, state: 'opening' };
    const result = await bindFirstAvailable(this.spec.bind, (address, port) =>
      this.bindSocket(address, port),
    );
    if (isBindFailure(result)) {
      this.status = { ...this.status, state: 'failed', message: result.message, code: result.code };
      return;
    }
    this.adopt(result.handle);
    this.status = {
      ...this.status,
      state: 'listening',
      address: result.address,
      port: result.port,
      message: result.message,
    };
  }

  /** Opens one socket on `address:port` (0 = any); rejects with the Node error. */
  protected abstract bindSocket(
    address: string,
    port: number,
  ): Promise<{ handle: Handle; port: number }>;

  /** Starts serving on the socket `bindSocket` opened. */
  protected abstract adopt(handle: Handle): void;

  /** Stops listening and ends every connection or flow of this listener. */
  abstract close(): Promise<void>;

  /** A backend left or stopped being eligible: UDP flows to it move on (TCP ones stay). */
  abstract backendUnavailable(backendId: string): void;

  /** Time-based upkeep (UDP idle flows). */
  abstract sweep(): void;

  /** `address:port` as bound, what the `dh` scheduler hashes. */
  get destination(): string {
    return `${this.status.address ?? ''}:${this.status.port ?? 0}`;
  }

  /** The port a backend serves this listener on. */
  targetPort(backend: Backend): number {
    return backend.port ?? this.spec.targetPort;
  }

  stats(): ListenerStats {
    const backends: Record<string, BackendCounters> = {};
    for (const [id, c] of this.counters) {
      backends[id] = { ...c };
    }
    this.addLiveBytes(backends);
    return {
      name: this.spec.name,
      protocol: this.spec.protocol,
      rejected: { ...this.rejected },
      backends,
    };
  }

  /** Drops the counters of backends that are gone and hold nothing open. */
  pruneCounters(present: ReadonlySet<string>): void {
    for (const [id, c] of this.counters) {
      if (!present.has(id) && c.active === 0) {
        this.counters.delete(id);
      }
    }
  }

  protected countersOf(backendId: string): BackendCounters {
    let c = this.counters.get(backendId);
    if (!c) {
      c = emptyCounters();
      this.counters.set(backendId, c);
    }
    return c;
  }

  /** Adds the bytes of connections still open (TCP counts them when they close). */
  protected addLiveBytes(_backends: Record<string, BackendCounters>): void {}
}

import type { Probe } from './health/probes';
import type {
  DataPlaneClock,
  HealthChange,
  VirtualServerSpec,
  VirtualServerStats,
  VirtualServerStatus,
} from './types';
import { validateSpec, VirtualServer, type ListenerInspection } from './virtual-server';

export interface DataPlaneOptions {
  /** Affinity and UDP idle timeouts age by it; health changes are dated by it. Default: wall clock. */
  clock?: DataPlaneClock;
  /** Called on every backend health change (after the first check, and on each flip). */
  onHealthChange?: (change: HealthChange) => void;
  /** Replaces the TCP/HTTP probes (unit tests). */
  probe?: Probe;
  /** Real-time period of the upkeep sweep (affinity pins, idle UDP flows). Default 1 s. */
  sweepIntervalMs?: number;
}

/** One virtual server's status and counters, read together (metrics scrapes). */
export interface VirtualServerSample {
  id: string;
  status: VirtualServerStatus;
  stats: VirtualServerStats;
}

/**
 * What owners of a data plane (the cloud's load balancers, kube-proxy) use: DataPlane in this
 * thread, or ThreadedDataPlane, the same in a worker thread of its own. `status` is synchronous
 * (the API shows it on every read); counters are read with `snapshot`.
 */
export interface DataPlaneHandle {
  apply(id: string, spec: VirtualServerSpec): Promise<VirtualServerStatus>;
  remove(id: string): Promise<void>;
  has(id: string): boolean;
  ids(): string[];
  status(id: string): VirtualServerStatus | undefined;
  snapshot(): Promise<VirtualServerSample[]>;
  close(): Promise<void>;
}

const wallClock: DataPlaneClock = { now: () => performance.timeOrigin + performance.now() };

/**
 * A user-space L4 data plane: named virtual servers, each a set of TCP/UDP listeners forwarding
 * to a set of backends. The cloud's load balancers and kube-proxy's Service ports both run on it.
 *
 *   const plane = new DataPlane({ clock });
 *   await plane.apply('lb-1', { listeners, backends, scheduler: 'rr' });   // create or update
 *   plane.status('lb-1');  plane.stats('lb-1');
 *   await plane.remove('lb-1');  await plane.close();
 */
export class DataPlane implements DataPlaneHandle {
  private readonly servers = new Map<string, VirtualServer>();
  private readonly clock: DataPlaneClock;
  private sweeper?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: DataPlaneOptions = {}) {
    this.clock = options.clock ?? wallClock;
  }

  /**
   * Creates or reconfigures a virtual server. Rejects with a RangeError (and changes nothing) for
   * an invalid spec; bind failures do not reject, they show in the status's listeners.
   */
  async apply(id: string, spec: VirtualServerSpec): Promise<VirtualServerStatus> {
    if (this.closed) {
      throw new Error('the data plane is closed');
    }
    validateSpec(spec);
    let server = this.servers.get(id);
    if (!server) {
      server = new VirtualServer(id, {
        clock: this.clock,
        onHealthChange: this.options.onHealthChange,
        probe: this.options.probe,
      });
      this.servers.set(id, server);
      this.startSweeper();
    }
    return await server.apply(spec);
  }

  /** Closes the virtual server's listeners and connections. */
  async remove(id: string): Promise<void> {
    const server = this.servers.get(id);
    if (server) {
      this.servers.delete(id);
      await server.close();
    }
  }

  has(id: string): boolean {
    return this.servers.has(id);
  }

  ids(): string[] {
    return [...this.servers.keys()];
  }

  status(id: string): VirtualServerStatus | undefined {
    return this.servers.get(id)?.status();
  }

  stats(id: string): VirtualServerStats | undefined {
    return this.servers.get(id)?.stats();
  }

  inspect(id: string): ListenerInspection[] | undefined {
    return this.servers.get(id)?.inspect();
  }

  snapshot(): Promise<VirtualServerSample[]> {
    return Promise.resolve(
      [...this.servers].map(([id, s]) => ({ id, status: s.status(), stats: s.stats() })),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((s) => s.close()));
  }

  private startSweeper(): void {
    if (this.sweeper) {
      return;
    }
    this.sweeper = setInterval(
      () => this.servers.forEach((s) => s.sweep()),
      this.options.sweepIntervalMs ?? 1000,
    );
    this.sweeper.unref();
  }
}

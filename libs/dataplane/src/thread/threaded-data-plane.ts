import type { AdjustableClock } from '@app/common';
import type { DataPlaneHandle, VirtualServerSample } from '../data-plane';
import type { HealthChange, VirtualServerSpec, VirtualServerStatus } from '../types';
import { validateSpec } from '../virtual-server';
import { DataPlaneThread } from './data-plane-thread';

export interface ThreadedDataPlaneOptions {
  /** The clock the thread follows through shared memory; default the wall clock. */
  clock?: AdjustableClock;
  onHealthChange?: (change: HealthChange) => void;
  /** Called when the thread died and this plane's virtual servers were applied again on a new one. */
  onThreadRestart?: (error: Error) => void;
  sweepIntervalMs?: number;
}

let nextClientId = 0;

/** Waits before starting a thread again after one died: 100 ms, doubling up to 30 s. */
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that served this long resets the delay. */
const STABLE_AFTER_MS = 60_000;

/**
 * A DataPlane whose listeners, forwarding and health checks run in the process's data plane
 * thread (DataPlaneThread), so a stall of this thread's event loop (a big commit, a collection
 * of a large heap) never holds a forwarded byte, and bytes never touch this thread's heap. It
 * keeps the last status of each virtual server (the thread sends every change) for synchronous
 * reads. The thread starts at the first `apply`; a plane that never serves starts none.
 */
export class ThreadedDataPlane implements DataPlaneHandle {
  private readonly clientId = ++nextClientId;
  private readonly specs = new Map<string, VirtualServerSpec>();
  private readonly statuses = new Map<string, VirtualServerStatus>();
  private thread?: Promise<DataPlaneThread>;
  private threadStartedAt = 0;
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  private closed = false;

  constructor(private readonly options: ThreadedDataPlaneOptions = {}) {}

  async apply(id: string, spec: VirtualServerSpec): Promise<VirtualServerStatus> {
    if (this.closed) {
      throw new Error('the data plane is closed');
    }
    validateSpec(spec);
    this.specs.set(id, spec);
    const thread = await this.connect();
    const status = await thread.call<VirtualServerStatus>({
      op: 'apply',
      client: this.clientId,
      id,
      spec,
    });
    if (this.specs.has(id)) {
      this.statuses.set(id, status);
    }
    return status;
  }

  async remove(id: string): Promise<void> {
    const had = this.specs.delete(id);
    this.statuses.delete(id);
    if (had && this.thread) {
      const thread = await this.thread;
      await thread.call({ op: 'remove', client: this.clientId, id });
    }
  }

  has(id: string): boolean {
    return this.specs.has(id);
  }

  ids(): string[] {
    return [...this.specs.keys()];
  }

  status(id: string): VirtualServerStatus | undefined {
    return this.statuses.get(id);
  }

  async snapshot(): Promise<VirtualServerSample[]> {
    if (!this.thread || this.specs.size === 0) {
      return [];
    }
    try {
      const thread = await this.thread;
      const samples = await thread.call<VirtualServerSample[]>({
        op: 'snapshot',
        client: this.clientId,
      });
      return samples.filter((s) => this.specs.has(s.id));
    } catch {
      // The thread died and is being replaced: nothing serves, so nothing to count (a scrape
      // must not fail for it; the owner logs the restart).
      return [];
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.specs.clear();
    this.statuses.clear();
    const thread = await this.thread?.catch(() => undefined);
    if (thread) {
      await thread.call({ op: 'close', client: this.clientId }).catch(() => undefined);
      await thread.detach(this.clientId);
    }
  }

  /** The thread, with this plane's client open in it (once). */
  private connect(): Promise<DataPlaneThread> {
    return (this.thread ??= this.open());
  }

  private async open(): Promise<DataPlaneThread> {
    const thread = DataPlaneThread.acquire();
    this.threadStartedAt = performance.now();
    thread.attach(this.clientId, {
      healthChanged: (change) => this.options.onHealthChange?.(change),
      statusChanged: (id, status) => {
        if (this.specs.has(id)) {
          this.statuses.set(id, status);
        }
      },
      threadLost: (error) => void this.reopen(error),
    });
    try {
      await thread.call({
        op: 'open',
        client: this.clientId,
        clockBuffer: this.options.clock?.buffer,
        sweepIntervalMs: this.options.sweepIntervalMs,
      });
    } catch (error) {
      this.thread = undefined;
      await thread.detach(this.clientId);
      throw error;
    }
    return thread;
  }

  /** The thread died (a bug in it): a new one serves every virtual server again. */
  private async reopen(error: Error): Promise<void> {
    this.thread = undefined;
    this.statuses.clear();
    if (performance.now() - this.threadStartedAt > STABLE_AFTER_MS) {
      this.restartDelayMs = FIRST_RESTART_DELAY_MS;
    }
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    if (this.closed || this.specs.size === 0) {
      return;
    }
    for (const [id, spec] of [...this.specs]) {
      await this.apply(id, spec).catch(() => undefined);
    }
    this.options.onThreadRestart?.(error);
  }
}

import type { InstanceDto } from '@app/cloud-contracts';
import { readChangeStream } from './change-stream';
import type { NimbusCloudClient } from './cloud-client';
import { NotFoundError } from './errors';

export interface InstanceWatcherOptions {
  client: NimbusCloudClient;
  /** Only instances carrying all of these labels (e.g. `{ 'nimbus.dev/cluster': 'kubernetes' }`). */
  labels: Record<string, string>;
  /** Called with every instance that appeared or changed, and every one that went away. */
  onUpsert(instance: InstanceDto): void;
  onRemove(instance: InstanceDto): void;
  onError?(error: unknown): void;
  /** Full relist this often, a safety net for missed stream events; default 30 s. */
  resyncMs?: number;
  /** Instances in a transitional state are re-read this often; default 250 ms. */
  transitionalPollMs?: number;
  /** Reconnect delay after the stream failed; default 1 s. */
  reconnectMs?: number;
  /** Instance re-reads in flight at most (one per instance at a time); default 8. */
  concurrentReads?: number;
}

const TRANSITIONAL = new Set(['pending', 'stopping', 'shutting-down']);

/**
 * Keeps a live view of the project's instances that carry some labels, as an informer does for
 * Kubernetes objects: one list, then the cloud's change stream (each instance change re-reads
 * that instance), a periodic relist, and a short poll of instances still in a transitional
 * state (the stream reports a clock-settled transition only on the cloud's next tick).
 */
export class InstanceWatcher {
  private readonly known = new Map<string, InstanceDto>();
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastEventId: string | undefined;
  private streaming: Promise<void> | undefined;
  private synced = false;
  /** Instances to re-read (deduplicated), and those being read now. */
  private readonly dirty = new Set<string>();
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly options: InstanceWatcherOptions) {}

  /** Lists once (resolving when done), then follows the change stream until `stop()`. */
  async start(): Promise<void> {
    await this.relist();
    this.synced = true;
    this.streaming = this.followStream();
    this.every(this.options.resyncMs ?? 30_000, () => this.relist());
    this.every(this.options.transitionalPollMs ?? 250, () => this.pollTransitional());
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): InstanceDto[] {
    return [...this.known.values()];
  }

  get(id: string): InstanceDto | undefined {
    return this.known.get(id);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.timers.forEach((t) => clearInterval(t));
    this.timers.clear();
    await this.streaming;
    // Reads in flight finish (and report nothing: apply() checks the abort) before stop resolves.
    await Promise.all(this.reading.values());
  }

  private matches(instance: InstanceDto): boolean {
    return Object.entries(this.options.labels).every(([k, v]) => instance.labels?.[k] === v);
  }

  private labelSelector(): string {
    return Object.entries(this.options.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  private async relist(): Promise<void> {
    try {
      const seen = new Set<string>();
      for await (const instance of this.options.client.instances.listAll({
        labelSelector: this.labelSelector(),
      })) {
        seen.add(instance.id);
        this.apply(instance);
      }
      for (const [id, instance] of [...this.known]) {
        if (!seen.has(id)) {
          this.known.delete(id);
          this.options.onRemove(instance);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) {
        this.options.onError?.(error);
      }
      if (!this.synced) {
        throw error;
      }
    }
  }

  private async refresh(id: string): Promise<void> {
    try {
      this.apply(await this.options.client.instances.get(id));
    } catch (error) {
      if (error instanceof NotFoundError) {
        const gone = this.known.get(id);
        if (gone && !this.abort.signal.aborted) {
          this.known.delete(id);
          this.options.onRemove(gone);
        }
        return;
      }
      if (!this.abort.signal.aborted) {
        this.options.onError?.(error);
      }
    }
  }

  private apply(instance: InstanceDto): void {
    if (this.abort.signal.aborted) {
      return;
    }
    const before = this.known.get(instance.id);
    if (!this.matches(instance)) {
      if (before) {
        this.known.delete(instance.id);
        this.options.onRemove(before);
      }
      return;
    }
    this.known.set(instance.id, instance);
    if (!before || before.etag !== instance.etag || before.state !== instance.state) {
      this.options.onUpsert(instance);
    }
  }

  private pollTransitional(): Promise<void> {
    for (const instance of this.known.values()) {
      if (TRANSITIONAL.has(instance.state)) {
        this.markDirty(instance.id);
      }
    }
    return Promise.resolve();
  }

  /**
   * Queues a re-read of one instance. Reads run a few at a time (a burst of creates must not
   * wait on one GET after another), never two for the same instance, and a change arriving
   * during a read queues one more.
   */
  private markDirty(id: string): void {
    this.dirty.add(id);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrentReads ?? 8;
    for (const id of this.dirty) {
      if (this.reading.size >= limit || this.abort.signal.aborted) {
        return;
      }
      if (this.reading.has(id)) {
        continue;
      }
      this.dirty.delete(id);
      this.reading.set(
        id,
        this.refresh(id).finally(() => {
          this.reading.delete(id);
          this.pump();
        }),
      );
    }
  }

  private async followStream(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        for await (const change of readChangeStream(this.options.client.http, {
          lastEventId: this.lastEventId,
          signal,
        })) {
          this.lastEventId = String(change.seq);
          if (change.resourceType === 'instance') {
            this.markDirty(change.resourceId);
          }
        }
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        this.options.onError?.(error);
      }
      if (signal.aborted) {
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, this.options.reconnectMs ?? 1000);
        t.unref();
        this.timers.add(t);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      // Events may have been missed while disconnected (or the resume id was purged).
      await this.relist();
    }
  }

  private every(ms: number, run: () => Promise<void>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy || this.abort.signal.aborted) {
        return;
      }
      busy = true;
      void run().finally(() => (busy = false));
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}

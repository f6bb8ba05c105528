import type { Registry } from 'prom-client';
import { Fifo } from '../internal/fifo';
import type { Scheduler } from '../scheduler';
import { NoopQueueMetrics, PrometheusQueueMetrics, type QueueMetrics } from './metrics';

export interface WorkQueueOptions {
  scheduler: Scheduler;
  /** The `name` label of the workqueue_* metrics (client-go's queue name, e.g. "service"). */
  name?: string;
  /** Where the metrics go; without it (or without a name) the queue records none. */
  registry?: Registry;
}

export type GetResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

/**
 * client-go's workqueue.Typed: a FIFO of distinct items.
 * - An item added while it is already queued is queued once (dedupe).
 * - An item is handed to one consumer at a time: added while processing, it is re-queued only
 *   when the consumer calls `done`, so one key never reconciles concurrently.
 * - After `shutDown`, adds are ignored but `get` still hands out what is queued, then reports
 *   shutdown.
 */
export class WorkQueue<T> {
  readonly name: string | undefined;
  protected readonly scheduler: Scheduler;
  protected readonly metrics: QueueMetrics<T>;
  private readonly queue = new Fifo<T>();
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters = new Fifo<(result: GetResult<T>) => void>();
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.scheduler = options.scheduler;
    this.metrics =
      options.name !== undefined && options.registry
        ? new PrometheusQueueMetrics<T>(options.name, options.registry, options.scheduler)
        : new NoopQueueMetrics<T>();
  }

  /** Queues `item` unless it is already waiting; ignored after shutdown. */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) {
      return;
    }
    this.metrics.add(item);
    this.dirty.add(item);
    if (this.processing.has(item)) {
      return;
    }
    this.queue.push(item);
    this.dispatch();
  }

  /** Items waiting to be processed (not counting those in flight). */
  len(): number {
    return this.queue.length;
  }

  /**
   * The next item, waiting until one is available. Resolves `{ shutdown: true }` once the queue is
   * shut down and empty. Every item obtained must be passed to `done`.
   */
  get(): Promise<GetResult<T>> {
    if (this.queue.length > 0) {
      return Promise.resolve({ item: this.take(), shutdown: false });
    }
    if (this.shuttingDown) {
      return Promise.resolve({ item: undefined, shutdown: true });
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `item` processed; if it was added meanwhile it goes back on the queue now. */
  done(item: T): void {
    this.metrics.done(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.dispatch();
    } else if (this.processing.size === 0) {
      this.releaseDrainWaiters();
    }
  }

  /** Stops accepting items and wakes waiting consumers; does not wait for work in flight. */
  shutDown(): void {
    this.shuttingDown = true;
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) {
      w({ item: undefined, shutdown: true });
    }
    this.releaseDrainWaiters();
  }

  /** Like `shutDown`, then resolves once every item in flight has been marked `done`. */
  shutDownWithDrain(): Promise<void> {
    const drained =
      this.processing.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.shuttingDown = true;
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) {
      w({ item: undefined, shutdown: true });
    }
    return drained;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Items handed out and not yet `done`. */
  inFlight(): number {
    return this.processing.size;
  }

  private take(): T {
    const item = this.queue.shift() as T;
    this.metrics.get(item);
    this.processing.add(item);
    this.dirty.delete(item);
    return item;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift() as (result: GetResult<T>) => void;
      waiter({ item: this.take(), shutdown: false });
    }
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) {
      w();
    }
  }
}

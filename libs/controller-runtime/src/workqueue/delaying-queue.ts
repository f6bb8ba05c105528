import { MinHeap } from '../internal/min-heap';
import type { TimerHandle } from '../scheduler';
import { WorkQueue, type WorkQueueOptions } from './queue';

interface Waiting<T> {
  item: T;
  readyAt: number;
}

/**
 * client-go's DelayingInterface: `addAfter` queues an item once a delay has passed on the
 * scheduler. An item already waiting keeps the earlier of its two ready times.
 */
export class DelayingQueue<T> extends WorkQueue<T> {
  private readonly readyAt = new Map<T, number>();
  private readonly heap = new MinHeap<Waiting<T>>((a, b) => a.readyAt < b.readyAt);
  private timer: { handle: TimerHandle; at: number } | undefined;

  constructor(options: WorkQueueOptions) {
    super(options);
  }

  /** Adds `item` after `delayMs` (now if ≤ 0). Counts in `workqueue_retries_total`. */
  addAfter(item: T, delayMs: number): void {
    if (this.isShuttingDown()) {
      return;
    }
    this.metrics.retry();
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.scheduler.now() + delayMs;
    const existing = this.readyAt.get(item);
    if (existing !== undefined && existing <= readyAt) {
      return;
    }
    this.readyAt.set(item, readyAt);
    this.heap.push({ item, readyAt });
    this.arm();
  }

  /** Items waiting for their delay to pass. */
  waitingLen(): number {
    return this.readyAt.size;
  }

  override shutDown(): void {
    super.shutDown();
    this.stopWaiting();
  }

  override shutDownWithDrain(): Promise<void> {
    const drained = super.shutDownWithDrain();
    this.stopWaiting();
    return drained;
  }

  private stopWaiting(): void {
    this.timer?.handle.cancel();
    this.timer = undefined;
    this.readyAt.clear();
    this.heap.clear();
  }

  /** Drops heap entries superseded by an earlier ready time. */
  private peekLive(): Waiting<T> | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.readyAt.get(top.item) === top.readyAt) {
        return top;
      }
      this.heap.pop();
    }
    return undefined;
  }

  private arm(): void {
    const next = this.peekLive();
    if (this.timer && (!next || this.timer.at !== next.readyAt)) {
      this.timer.handle.cancel();
      this.timer = undefined;
    }
    if (next && !this.timer) {
      const handle = this.scheduler.setTimer(
        () => this.fire(),
        next.readyAt - this.scheduler.now(),
      );
      this.timer = { handle, at: next.readyAt };
    }
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.scheduler.now();
    for (let next = this.peekLive(); next && next.readyAt <= now; next = this.peekLive()) {
      this.heap.pop();
      this.readyAt.delete(next.item);
      this.add(next.item);
    }
    this.arm();
  }
}

import { TokenBucket, type TimeSource } from '@app/controller-runtime';

export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  /** Not processed before this instant (a retry asked for later). */
  processAt: number;
}

/** upstream scheduler.EvictionRateLimiterBurst. */
const EVICTION_BURST = 1;

/**
 * upstream nodelifecycle/scheduler.RateLimitedTimedQueue: a set of node names, processed in the
 * order they were added, at most as fast as a token bucket allows (qps 0 = never).
 */
export class RateLimitedTimedQueue {
  private readonly items = new Map<string, TimedValue>();
  private limiter: TokenBucket | undefined;

  constructor(
    qps: number,
    private readonly time: TimeSource,
  ) {
    this.swapLimiter(qps);
  }

  /** Adds a value unless present; answers whether it was added. */
  add(value: string, uid: string): boolean {
    if (this.items.has(value)) {
      return false;
    }
    const now = this.time.now();
    this.items.set(value, { value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** Removes a value; answers whether it was there. */
  remove(value: string): boolean {
    return this.items.delete(value);
  }

  get size(): number {
    return this.items.size;
  }

  /** A new rate (a new bucket, full); 0 stops processing. */
  swapLimiter(qps: number): void {
    this.limiter = qps > 0 ? new TokenBucket(qps, EVICTION_BURST, this.time) : undefined;
  }

  /**
   * Processes due values in order while tokens last: `fn` answers `[done, retryAfterMs]`; a
   * value not done is put back to be retried after that delay.
   */
  async try(fn: (value: TimedValue) => Promise<[boolean, number]>): Promise<void> {
    const now = this.time.now();
    const due = [...this.items.values()]
      .filter((v) => v.processAt <= now)
      .sort((a, b) => a.processAt - b.processAt || a.addedAt - b.addedAt);
    for (const value of due) {
      if (!this.limiter?.tryAccept()) {
        return;
      }
      const [done, retryAfterMs] = await fn(value);
      if (done) {
        this.items.delete(value.value);
      } else if (this.items.has(value.value)) {
        value.processAt = this.time.now() + retryAfterMs;
      }
    }
  }
}

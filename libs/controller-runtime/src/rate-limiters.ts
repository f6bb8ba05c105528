import { TokenBucket, type TimeSource } from './token-bucket';

/**
 * client-go's workqueue.RateLimiter: how long an item waits before it is re-queued.
 * `when` records a failure (and returns the delay), `forget` clears the item's history.
 */
export interface RateLimiter<T> {
  /** Delay in ms before `item` may be processed again; counts as one more requeue. */
  when(item: T): number;
  /** Stops tracking `item` (call after a successful reconcile). */
  forget(item: T): void;
  /** How many times `item` has been requeued since it was last forgotten. */
  numRequeues(item: T): number;
}

/** client-go's per-item default: 5 ms doubling up to 1000 s. */
export const DEFAULT_ITEM_BASE_DELAY_MS = 5;
export const DEFAULT_ITEM_MAX_DELAY_MS = 1_000_000;
/** client-go's overall default: 10 qps with a burst of 100. */
export const DEFAULT_BUCKET_QPS = 10;
export const DEFAULT_BUCKET_BURST = 100;

/**
 * Per-item exponential backoff: `base * 2^failures`, capped at `max`
 * (ItemExponentialFailureRateLimiter).
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(
    readonly baseDelayMs: number,
    readonly maxDelayMs: number,
  ) {}

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff < this.maxDelayMs ? backoff : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket shared by all items (BucketRateLimiter); tracks no per-item state. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;

  constructor(qps: number, burst: number, time: TimeSource) {
    this.bucket = new TokenBucket(qps, burst, time);
  }

  when(_item: T): number {
    return this.bucket.reserve();
  }

  forget(_item: T): void {
    // The bucket is shared; there is nothing per item to forget.
  }

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The worst (longest) delay of several limiters (MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    // Every limiter must see the failure, so no short-circuiting.
    return this.limiters.map((l) => l.when(item)).reduce((a, b) => Math.max(a, b), 0);
  }

  forget(item: T): void {
    for (const l of this.limiters) {
      l.forget(item);
    }
  }

  numRequeues(item: T): number {
    return this.limiters.map((l) => l.numRequeues(item)).reduce((a, b) => Math.max(a, b), 0);
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-item 5 ms → 1000 s, combined with an overall
 * 10 qps / burst 100 bucket. Used by the cloud node controller.
 */
export function defaultControllerRateLimiter<T>(time: TimeSource): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(DEFAULT_ITEM_BASE_DELAY_MS, DEFAULT_ITEM_MAX_DELAY_MS),
    new BucketRateLimiter<T>(DEFAULT_BUCKET_QPS, DEFAULT_BUCKET_BURST, time),
  );
}

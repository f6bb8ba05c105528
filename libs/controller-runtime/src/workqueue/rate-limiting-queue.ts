import { defaultControllerRateLimiter, type RateLimiter } from '../rate-limiters';
import { DelayingQueue } from './delaying-queue';
import type { WorkQueueOptions } from './queue';

export interface RateLimitingQueueOptions<T> extends WorkQueueOptions {
  /** Defaults to client-go's DefaultControllerRateLimiter (5 ms → 1000 s, 10 qps / 100 burst). */
  rateLimiter?: RateLimiter<T>;
}

/** client-go's RateLimitingInterface: `addRateLimited` re-queues after the limiter's delay. */
export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(options: RateLimitingQueueOptions<T>) {
    super(options);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(options.scheduler);
  }

  /** Re-queues `item` once the rate limiter says it may go again. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears the item's failure history (its next failure starts from the base delay). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}

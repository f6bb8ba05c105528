import type { Clock } from '@app/common';

/** A pending timer; `cancel` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time and timers for controller plumbing. Library code never calls `Date.now()` or `setTimeout`
 * directly: it asks a Scheduler, so tests drive time with a `ManualScheduler`.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` (≤ 0 means "as soon as possible", never synchronously). */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

/**
 * The production scheduler: the injected Clock for "now", Node timers for waiting. Timers are
 * unref'd so a queue waiting on a delay never keeps the process alive on its own.
 */
export class SystemScheduler implements Scheduler {
  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}

/** Resolves after `ms` on the scheduler, or early (resolving `false`) when `signal` aborts. */
export function sleep(scheduler: Scheduler, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = scheduler.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import type { Clock } from '@app/common';
import { MinHeap } from './internal/min-heap';
import type { Scheduler, TimerHandle } from './scheduler';

interface ClockTimer {
  /** Clock time (ms since the epoch) at which the timer is due. */
  dueAt: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** How long a pending timer may wait before the clock is read again (catches clock jumps). */
export const CLOCK_POLL_MS = 1000;

/**
 * A scheduler whose timers are due at an instant of the injected Clock, not after an amount of
 * real time. When someone advances the clock (the fake cloud's `POST /admin/clock`), every
 * timer that became due fires within `pollMs`, so a 300 s toleration or a 50 s grace period
 * passes as soon as the clock says so. With a running clock it behaves like `SystemScheduler`;
 * a frozen clock holds every timer with a positive delay until the clock moves again.
 *
 * All timers share one heap and one Node timer (unref'd), so thousands of simulated nodes and
 * pods cost one wake-up at a time.
 */
export class ClockScheduler implements Scheduler {
  private readonly heap = new MinHeap<ClockTimer>((a, b) =>
    a.dueAt === b.dueAt ? a.seq < b.seq : a.dueAt < b.dueAt,
  );
  private seq = 0;
  private wakeUp: NodeJS.Timeout | undefined;
  private wakeUpAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly pollMs = CLOCK_POLL_MS,
  ) {}

  now(): number {
    return this.clock.now();
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer: ClockTimer = {
      dueAt: this.clock.now() + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.heap.push(timer);
    this.arm(delayMs <= 0 ? 0 : Math.min(delayMs, this.pollMs));
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers still waiting (cancelled ones are dropped lazily). */
  get pending(): number {
    return this.heap.length;
  }

  private arm(inMs: number): void {
    const at = performance.now() + inMs;
    if (this.wakeUp && at >= this.wakeUpAt) {
      return;
    }
    if (this.wakeUp) {
      clearTimeout(this.wakeUp);
    }
    this.wakeUpAt = at;
    this.wakeUp = setTimeout(() => this.fire(), inMs);
    this.wakeUp.unref();
  }

  private fire(): void {
    this.wakeUp = undefined;
    this.wakeUpAt = Infinity;
    const now = this.clock.now();
    const due: ClockTimer[] = [];
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (top.cancelled) {
        this.heap.pop();
        continue;
      }
      if (top.dueAt > now) {
        break;
      }
      due.push(this.heap.pop() as ClockTimer);
    }
    // A throwing callback must not stall the other timers: all run, the heap is re-armed, then
    // the first error surfaces as a throwing setTimeout callback would.
    let failure: { error: unknown } | undefined;
    for (const timer of due) {
      if (!timer.cancelled) {
        try {
          timer.fn();
        } catch (error) {
          failure ??= { error };
        }
      }
    }
    const next = this.heap.peek();
    if (next) {
      this.arm(Math.min(Math.max(0, next.dueAt - this.clock.now()), this.pollMs));
    }
    if (failure) {
      throw failure.error;
    }
  }
}

import { Clock } from '@app/common';
import type { Scheduler, TimerHandle } from '../scheduler';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every queued promise continuation run (one macrotask turn drains the microtask queue). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A scheduler (and Clock) whose time only moves when a test says so. `advance` fires due timers in
 * time order, letting promise chains settle after each, so controller tests are deterministic and
 * never sleep for real.
 */
export class ManualScheduler extends Clock implements Scheduler {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    super();
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** How many timers are waiting. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer is due, if any. */
  nextTimerAt(): number | undefined {
    return this.earliest()?.at;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (including new ones). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (let next = this.earliest(); next && next.at <= target; next = this.earliest()) {
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.fn();
      await flushPromises();
    }
    this.current = target;
    await flushPromises();
  }

  /** Moves time to the earliest pending timer and fires it (and anything due at the same instant). */
  async advanceToNext(): Promise<void> {
    const next = this.earliest();
    if (next) {
      await this.advance(next.at - this.current);
    }
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) {
        best = t;
      }
    }
    return best;
  }
}

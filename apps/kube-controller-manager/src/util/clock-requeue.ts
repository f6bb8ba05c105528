import type { Scheduler, TimerHandle } from '@app/controller-runtime';

/**
 * Requeues a key at an instant of the cluster clock (progress deadlines, minReadySeconds,
 * cron schedules): the timer fires when the clock gets there, also when someone advances it,
 * which a work queue's real-time `addAfter` would not notice. One pending timer per key.
 */
export class ClockRequeue {
  private readonly timers = new Map<string, TimerHandle & { at: number }>();

  constructor(
    private readonly clockScheduler: Scheduler,
    private readonly enqueue: (key: string) => void,
  ) {}

  after(key: string, delayMs: number): void {
    this.timers.get(key)?.cancel();
    const handle = this.clockScheduler.setTimer(() => {
      this.timers.delete(key);
      this.enqueue(key);
    }, delayMs);
    this.timers.set(key, {
      cancel: () => handle.cancel(),
      at: this.clockScheduler.now() + delayMs,
    });
  }

  /**
   * Like `after`, but a pending earlier requeue stands (a delaying queue's AddAfter: an item
   * already waiting keeps the earlier of its two times).
   */
  notLaterThan(key: string, delayMs: number): void {
    const pending = this.timers.get(key);
    if (!pending || pending.at > this.clockScheduler.now() + delayMs) {
      this.after(key, delayMs);
    }
  }

  cancel(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  stop(): void {
    for (const t of this.timers.values()) {
      t.cancel();
    }
    this.timers.clear();
  }
}

import type { Scheduler, TimerHandle } from '@app/controller-runtime';

/**
 * Requeues a key at an instant of the cluster clock (progress deadlines, minReadySeconds,
 * cron schedules): the timer fires when the clock gets there, also when someone advances it,
 * which a work queue's real-time `addAfter` would not notice. One pending timer per key.
 */
export class ClockRequeue {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clockScheduler: Scheduler,
    private readonly enqueue: (key: string) => void,
  ) {}

  after(key: string, delayMs: number): void {
    this.timers.get(key)?.cancel();
    this.timers.set(
      key,
      this.clockScheduler.setTimer(() => {
        this.timers.delete(key);
        this.enqueue(key);
      }, delayMs),
    );
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

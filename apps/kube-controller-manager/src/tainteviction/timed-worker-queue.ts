import type { Scheduler, TimerHandle } from '@app/controller-runtime';

interface TimedWorker {
  createdAt: number;
  fireAt: number;
  timer: TimerHandle;
}

/**
 * upstream tainteviction.TimedWorkerQueue: one pending piece of work per key (a pod), run at an
 * instant of the clock. Work that ran keeps its key (as a nil worker) so the same eviction is not
 * scheduled twice, until it is cancelled (the pod went away).
 */
export class TimedWorkerQueue {
  private readonly workers = new Map<string, TimedWorker | null>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly work: (key: string, fireAt: number) => Promise<void>,
  ) {}

  /** Schedules `key` at `fireAt` unless work for it already exists (pending or done). */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) {
      return;
    }
    const timer = this.scheduler.setTimer(
      () => void this.run(key, fireAt),
      Math.max(0, fireAt - this.scheduler.now()),
    );
    this.workers.set(key, { createdAt, fireAt, timer });
  }

  /** Cancels `key`; answers true only if pending work was cancelled. */
  cancelWork(key: string): boolean {
    if (!this.workers.has(key)) {
      return false;
    }
    const worker = this.workers.get(key);
    this.workers.delete(key);
    if (worker) {
      worker.timer.cancel();
      return true;
    }
    return false;
  }

  /** The pending work for `key`, if any. */
  getWorker(key: string): { createdAt: number; fireAt: number } | undefined {
    return this.workers.get(key) ?? undefined;
  }

  /** Cancels everything (controller stop). */
  clear(): void {
    for (const worker of this.workers.values()) {
      worker?.timer.cancel();
    }
    this.workers.clear();
  }

  private async run(key: string, fireAt: number): Promise<void> {
    try {
      await this.work(key, fireAt);
      if (this.workers.has(key)) {
        this.workers.set(key, null);
      }
    } catch {
      this.workers.delete(key);
    }
  }
}

import { errorMessage, noopLogger, type Logger } from './logger';
import type { Scheduler, TimerHandle } from './scheduler';

export interface PeriodicOptions {
  /** For logs. */
  name: string;
  periodMs: number;
  /** The work; a rejection is logged and the loop carries on (never overlaps itself). */
  run: (signal: AbortSignal) => Promise<void> | void;
  /**
   * `true` (wait.Until, the default): the period counts from the end of a run.
   * `false` (wait.NonSlidingUntil, e.g. the route controller): from its start.
   */
  sliding?: boolean;
  /** wait.JitterUntil's factor: each wait is `period + random() * jitter * period`. */
  jitterFactor?: number;
}

/** Runs a task now and then every period until stopped (apimachinery's wait.Until family). */
export class Periodic {
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private started = false;

  constructor(
    private readonly options: PeriodicOptions,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger = noopLogger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts the loop; the first run happens immediately. */
  start(): void {
    if (this.started || this.abort.signal.aborted) {
      return;
    }
    this.started = true;
    this.tick();
  }

  /** Stops scheduling and resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.abort.signal.aborted) {
      return;
    }
    const startedAt = this.scheduler.now();
    this.running = this.runOnce().then(() => {
      this.running = undefined;
      if (this.abort.signal.aborted) {
        return;
      }
      const { periodMs, sliding = true, jitterFactor = 0 } = this.options;
      const period =
        jitterFactor > 0 ? periodMs + this.random() * jitterFactor * periodMs : periodMs;
      const delay = sliding ? period : Math.max(0, startedAt + period - this.scheduler.now());
      this.timer = this.scheduler.setTimer(() => this.tick(), delay);
    });
  }

  private async runOnce(): Promise<void> {
    try {
      await this.options.run(this.abort.signal);
    } catch (err) {
      this.logger.error(
        { task: this.options.name, err: errorMessage(err) },
        'Periodic task failed',
      );
    }
  }
}

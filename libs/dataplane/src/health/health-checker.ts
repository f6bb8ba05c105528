import type { DataPlaneClock, Health, HealthCheckSpec } from '../types';
import { probe as defaultProbe, type Probe, type ProbeTarget } from './probes';

export type HealthListener = (health: Health, previous: Health, detail: string) => void;

/**
 * Active health checking of one backend. The first result decides at once (as Envoy does for a
 * new host); after that a healthy backend turns unhealthy after `unhealthyThreshold` consecutive
 * failures and back after `healthyThreshold` consecutive successes. Probes run on real timers
 * (they are I/O); the times of changes come from the injected clock.
 */
export class HealthChecker {
  health: Health = 'unknown';
  /** Clock time of the last change of `health`. */
  since?: number;
  detail?: string;
  readonly counters = { successes: 0, failures: 0 };

  private consecutiveOk = 0;
  private consecutiveFailed = 0;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(
    private target: ProbeTarget,
    private spec: HealthCheckSpec,
    private readonly clock: DataPlaneClock,
    private readonly onChange: HealthListener,
    private readonly probe: Probe = defaultProbe,
  ) {}

  /** Probes now, then every interval. */
  start(): void {
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.release();
  }

  /**
   * New settings. A different target (address, port, protocol or path) starts over from
   * `unknown` with a probe now; new timings or thresholds keep the state.
   */
  reconfigure(target: ProbeTarget, spec: HealthCheckSpec): void {
    const sameTarget =
      target.address === this.target.address &&
      target.port === this.target.port &&
      target.protocol === this.target.protocol &&
      target.path === this.target.path;
    const newInterval = spec.intervalMs !== this.spec.intervalMs;
    this.target = target;
    this.spec = spec;
    if (!sameTarget) {
      this.consecutiveOk = 0;
      this.consecutiveFailed = 0;
      this.change('unknown', 'health check changed');
      clearTimeout(this.timer);
      void this.check();
    } else if (newInterval && !this.inFlight) {
      this.schedule();
    }
  }

  /** A connection to the backend failed: check now instead of at the next interval. */
  probeSoon(): void {
    if (!this.inFlight && !this.stopped) {
      clearTimeout(this.timer);
      void this.check();
    }
  }

  /** Resolves once the backend has a first result (or the checker stopped). */
  whenKnown(): Promise<void> {
    if (this.health !== 'unknown' || this.stopped) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** One probe and its effect on the state; the next one is scheduled after it. */
  check(): Promise<void> {
    if (this.inFlight) {
      return this.inFlight;
    }
    const target = this.target;
    this.inFlight = this.probe(target, this.spec.timeoutMs)
      .then((result) => {
        if (this.stopped || target !== this.target) {
          return;
        }
        this.record(result.ok, result.detail);
      })
      .finally(() => {
        this.inFlight = undefined;
        if (!this.stopped) {
          this.schedule();
        }
      });
    return this.inFlight;
  }

  private record(ok: boolean, detail: string): void {
    this.detail = detail;
    if (ok) {
      this.counters.successes++;
      this.consecutiveOk++;
      this.consecutiveFailed = 0;
    } else {
      this.counters.failures++;
      this.consecutiveFailed++;
      this.consecutiveOk = 0;
    }
    if (this.health === 'unknown') {
      this.change(ok ? 'healthy' : 'unhealthy', detail);
    } else if (
      this.health === 'healthy' &&
      this.consecutiveFailed >= this.spec.unhealthyThreshold
    ) {
      this.change('unhealthy', detail);
    } else if (this.health === 'unhealthy' && this.consecutiveOk >= this.spec.healthyThreshold) {
      this.change('healthy', detail);
    }
  }

  private change(health: Health, detail: string): void {
    const previous = this.health;
    if (previous === health) {
      return;
    }
    this.health = health;
    this.since = health === 'unknown' ? undefined : this.clock.now();
    this.detail = detail;
    if (health !== 'unknown') {
      this.release();
    }
    this.onChange(health, previous, detail);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), this.spec.intervalMs);
    this.timer.unref();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}

import { DomainError } from '@app/common';
import { errorMessage, noopLogger, type Logger } from '../logger';
import { sleep, type Scheduler } from '../scheduler';
import { formatMicroTime } from '../time-format';
import type { LeaderElectionRecord, LeaseLock } from './lease-lock';

/** `--leader-elect-lease-duration` / `-renew-deadline` / `-retry-period` defaults. */
export const LEADER_ELECTION_DEFAULTS = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};
/** client-go's JitterFactor for acquire retries. */
export const LEADER_ELECTION_JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  /** Leadership acquired: start the controllers. `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when `run` ends, whether or not leadership was ever held (the CCM exits 1 here). */
  onStoppedLeading(): void;
  /** The observed leader changed (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: LeaseLock;
  callbacks: LeaderCallbacks;
  /** For logs and the health check; default `lock.describe()`. */
  name?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up (holder "", duration 1 s) when `run` is stopped. */
  releaseOnCancel?: boolean;
}

export interface LeaderElectorDeps {
  scheduler: Scheduler;
  logger?: Logger;
  /** For acquire jitter; default Math.random. */
  random?: () => number;
}

/**
 * client-go's leaderelection.LeaderElector over a LeaseLock: acquire (retrying every retry period
 * with jitter) → onStartedLeading → renew every retry period; a renewal that does not succeed
 * within the renew deadline ends leadership. Lease validity is judged on the local clock from when
 * the record was last seen to change, so clock skew between candidates does not matter.
 */
export class LeaderElector {
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly random: () => number;
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw: string | undefined;
  private observedTimeMs = 0;
  private reportedLeader = '';
  private started = false;

  constructor(
    private readonly config: LeaderElectionConfig,
    deps: LeaderElectorDeps,
  ) {
    this.leaseDurationMs = config.leaseDurationMs ?? LEADER_ELECTION_DEFAULTS.leaseDurationMs;
    this.renewDeadlineMs = config.renewDeadlineMs ?? LEADER_ELECTION_DEFAULTS.renewDeadlineMs;
    this.retryPeriodMs = config.retryPeriodMs ?? LEADER_ELECTION_DEFAULTS.retryPeriodMs;
    this.validate();
    this.name = config.name ?? config.lock.describe();
    this.scheduler = deps.scheduler;
    this.logger = deps.logger ?? noopLogger;
    this.random = deps.random ?? Math.random;
  }

  /**
   * Campaigns until leading, then renews until renewal fails or `signal` aborts. Resolves after
   * `onStoppedLeading` has run.
   */
  async run(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.started) {
      throw new Error('LeaderElector.run may be called once');
    }
    this.started = true;
    try {
      if (!(await this.acquire(signal))) {
        return;
      }
      const leading = new AbortController();
      this.startLeading(leading.signal);
      await this.renew(signal);
      leading.abort();
      if (this.config.releaseOnCancel) {
        await this.release();
      }
    } finally {
      try {
        this.config.callbacks.onStoppedLeading();
      } catch (err) {
        this.logger.error({ lease: this.name, err: errorMessage(err) }, 'onStoppedLeading failed');
      }
    }
  }

  isLeader(): boolean {
    return this.observedRecord?.holderIdentity === this.config.lock.identity();
  }

  /** The last observed holder ("" if none). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  /**
   * The healthz adaptor: an error when this candidate believes it leads but has not renewed for
   * longer than the lease plus `maxTolerableExpiredLeaseMs` (upstream uses 20 s).
   */
  check(maxTolerableExpiredLeaseMs = 20_000): Error | undefined {
    if (!this.isLeader()) {
      return undefined;
    }
    if (
      this.scheduler.now() - this.observedTimeMs >
      this.leaseDurationMs + maxTolerableExpiredLeaseMs
    ) {
      return new Error(`failed election to renew leadership on lease ${this.name}`);
    }
    return undefined;
  }

  private validate(): void {
    const invalid = (msg: string) => new DomainError('INVALID_ARGUMENT', msg);
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw invalid('leaseDuration must be greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= LEADER_ELECTION_JITTER_FACTOR * this.retryPeriodMs) {
      throw invalid('renewDeadline must be greater than retryPeriod*JitterFactor');
    }
    if (this.leaseDurationMs < 1 || this.renewDeadlineMs < 1 || this.retryPeriodMs < 1) {
      throw invalid('leaseDuration, renewDeadline and retryPeriod must be greater than zero');
    }
    if (!this.config.lock.identity()) {
      throw invalid('Lock identity is empty');
    }
  }

  private startLeading(signal: AbortSignal): void {
    Promise.resolve()
      .then(() => this.config.callbacks.onStartedLeading(signal))
      .catch((err: unknown) =>
        this.logger.error({ lease: this.name, err: errorMessage(err) }, 'onStartedLeading failed'),
      );
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.logger.info({ lease: this.name }, 'attempting to acquire leader lease');
    while (!signal.aborted) {
      const acquired = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition();
      if (acquired) {
        this.config.lock.recordEvent?.(`${this.config.lock.identity()} became leader`);
        this.logger.info({ lease: this.name }, 'successfully acquired lease');
        return true;
      }
      const wait =
        this.retryPeriodMs + this.random() * LEADER_ELECTION_JITTER_FACTOR * this.retryPeriodMs;
      if (!(await sleep(this.scheduler, wait, signal))) {
        break;
      }
    }
    return false;
  }

  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const renewed = await this.renewWithinDeadline(signal);
      this.maybeReportTransition();
      if (!renewed) {
        if (!signal.aborted) {
          this.logger.info({ lease: this.name }, 'failed to renew lease');
          this.config.lock.recordEvent?.(`${this.config.lock.identity()} stopped leading`);
        }
        return;
      }
      if (!(await sleep(this.scheduler, this.retryPeriodMs, signal))) {
        return;
      }
    }
  }

  /** wait.PollImmediateUntil(retryPeriod, tryAcquireOrRenew) bounded by the renew deadline. */
  private async renewWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const deadline = this.scheduler.now() + this.renewDeadlineMs;
    const attempt = new AbortController();
    const onAbort = () => attempt.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.scheduler.setTimer(() => attempt.abort(), this.renewDeadlineMs);
    try {
      for (;;) {
        const ok = await Promise.race([
          this.tryAcquireOrRenew(attempt.signal),
          aborted(attempt.signal),
        ]);
        if (ok) {
          return true;
        }
        const remaining = deadline - this.scheduler.now();
        if (attempt.signal.aborted || remaining <= 0) {
          return false;
        }
        await sleep(this.scheduler, Math.min(this.retryPeriodMs, remaining), attempt.signal);
        if (attempt.signal.aborted || this.scheduler.now() >= deadline) {
          return false;
        }
      }
    } finally {
      timer.cancel();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { lock } = this.config;
    const now = this.scheduler.now();
    const stamp = formatMicroTime(now);
    const record: LeaderElectionRecord = {
      holderIdentity: lock.identity(),
      leaseDurationSeconds: Math.floor(this.leaseDurationMs / 1000),
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };

    // 1. Fast path: the leader updates optimistically, assuming its last observation is current.
    if (this.isLeader() && this.isLeaseValid(now) && this.observedRecord) {
      record.acquireTime = this.observedRecord.acquireTime;
      record.leaseTransitions = this.observedRecord.leaseTransitions;
      try {
        await lock.update(record, signal);
        if (signal.aborted) {
          return false;
        }
        this.setObservedRecord(record);
        return true;
      } catch (err) {
        this.logger.warn(
          { lease: this.name, err: errorMessage(err) },
          'Failed to update lock optimistically, falling back to slow path',
        );
      }
    }

    // 2. Obtain or create the record.
    let old: LeaderElectionRecord | null;
    try {
      old = await lock.get(signal);
    } catch (err) {
      this.logger.error(
        { lease: this.name, err: errorMessage(err) },
        'error retrieving resource lock',
      );
      return false;
    }
    if (signal.aborted) {
      return false;
    }
    if (old === null) {
      try {
        await lock.create(record, signal);
      } catch (err) {
        this.logger.error(
          { lease: this.name, err: errorMessage(err) },
          'error initially creating leader election record',
        );
        return false;
      }
      if (signal.aborted) {
        return false;
      }
      this.setObservedRecord(record);
      return true;
    }

    // 3. Record obtained: note when it last changed, and back off while someone else holds it.
    const raw = JSON.stringify(old);
    if (raw !== this.observedRaw) {
      this.setObservedRecord(old);
      this.observedRaw = raw;
    }
    if (old.holderIdentity && this.isLeaseValid(now) && !this.isLeader()) {
      this.logger.debug(
        { lease: this.name, holder: old.holderIdentity },
        'lock is held by another candidate and has not yet expired',
      );
      return false;
    }

    // 4. Take over (or renew): a conflict here means another candidate won the race.
    if (this.isLeader()) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions;
    } else {
      record.leaseTransitions = old.leaseTransitions + 1;
    }
    try {
      await lock.update(record, signal);
    } catch (err) {
      this.logger.error({ lease: this.name, err: errorMessage(err) }, 'Failed to update lock');
      return false;
    }
    if (signal.aborted) {
      return false;
    }
    this.setObservedRecord(record);
    return true;
  }

  /** Gives the lease up so another candidate need not wait for it to expire. */
  private async release(): Promise<boolean> {
    const { lock } = this.config;
    try {
      // Refresh the resourceVersion, and never clobber a lease someone else holds by now.
      const current = await lock.get();
      if (!this.isLeader() || current?.holderIdentity !== lock.identity()) {
        return true;
      }
      const stamp = formatMicroTime(this.scheduler.now());
      const record: LeaderElectionRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: current.leaseTransitions,
      };
      await lock.update(record);
      this.setObservedRecord(record);
      return true;
    } catch (err) {
      this.logger.error({ lease: this.name, err: errorMessage(err) }, 'Failed to release lock');
      return false;
    }
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTimeMs + this.leaseDurationMs > now;
  }

  private setObservedRecord(record: LeaderElectionRecord): void {
    this.observedRecord = { ...record };
    this.observedTimeMs = this.scheduler.now();
  }

  private maybeReportTransition(): void {
    const holder = this.observedRecord?.holderIdentity ?? '';
    if (holder === this.reportedLeader) {
      return;
    }
    this.reportedLeader = holder;
    const onNewLeader = this.config.callbacks.onNewLeader;
    if (onNewLeader) {
      queueMicrotask(() => {
        try {
          onNewLeader(holder);
        } catch (err) {
          this.logger.error({ lease: this.name, err: errorMessage(err) }, 'onNewLeader failed');
        }
      });
    }
  }
}

/** Resolves `false` when `signal` aborts (never resolves otherwise). */
function aborted(signal: AbortSignal): Promise<false> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
    } else {
      signal.addEventListener('abort', () => resolve(false), { once: true });
    }
  });
}

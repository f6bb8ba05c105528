import type { Registry } from 'prom-client';
import { parseDuration } from '@app/common';
import type { HealthCheck } from '../health-server';
import { errorMessage, type Logger } from '../logger';
import type { Scheduler } from '../scheduler';
import { LeaderElector } from './leader-elector';
import type { LeaseLock } from './lease-lock';

/** The leader-election flags every control-plane component takes (`--leader-elect*`). */
export interface LeaderElectionFlags {
  leaderElect: boolean;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  leaderElectResourceName: string;
  leaderElectResourceNamespace: string;
}

/** The flags with durations in milliseconds. */
export interface LeaderElectionSettings {
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseName: string;
  leaseNamespace: string;
}

export function leaderElectionSettingsOf(flags: LeaderElectionFlags): LeaderElectionSettings {
  return {
    leaderElect: flags.leaderElect,
    leaseDurationMs: parseDuration(flags.leaderElectLeaseDuration, '--leader-elect-lease-duration'),
    renewDeadlineMs: parseDuration(flags.leaderElectRenewDeadline, '--leader-elect-renew-deadline'),
    retryPeriodMs: parseDuration(flags.leaderElectRetryPeriod, '--leader-elect-retry-period'),
    leaseName: flags.leaderElectResourceName,
    leaseNamespace: flags.leaderElectResourceNamespace,
  };
}

/** What a started control-plane component (CCM, kube-scheduler, …) gives its caller. */
export interface RunningComponent {
  /** Leader-election identity (`<hostname>_<uuid>` by default). */
  identity: string;
  /** `/healthz` and `/metrics` base URL; undefined with `--secure-port=-1`. */
  healthUrl: string | undefined;
  registry: Registry;
  /** True while this replica holds the lease (always once running with `--leader-elect=false`). */
  isLeader(): boolean;
  /** Resolves with the exit code: 1 when leadership was lost (upstream exits), 0 after `close()`. */
  readonly exited: Promise<number>;
  /** Graceful stop. */
  close(): Promise<void>;
}

export interface ElectedRunOptions {
  /** For logs, e.g. `kube-scheduler`. */
  component: string;
  election: LeaderElectionSettings;
  /** The Lease lock; asked for only with leader election on. */
  lock(): LeaseLock;
  /** Hand the lease back on stop (upstream's ReleaseOnCancel). */
  releaseOnCancel?: boolean;
  scheduler: Scheduler;
  logger: Logger;
  /** The `leaderElection` health check is added here. */
  checks: HealthCheck[];
  /** Starts the work while leading; `signal` aborts when leadership ends. */
  lead(signal: AbortSignal): Promise<void>;
  /** Stops the work (leadership lost, a failure, or stop()). */
  stopLeading(): Promise<void>;
}

/**
 * A control-plane component's work under leader election, as upstream's app.Run: with
 * `--leader-elect` the work runs while the Lease is held; losing it stops the work and `exited`
 * resolves with 1 (upstream exits there); `stop()` ends it with 0. Without leader election the work
 * starts at once.
 */
export class ElectedRun {
  readonly exited: Promise<number>;
  private resolveExit!: (code: number) => void;
  private readonly abort = new AbortController();
  private readonly elector: LeaderElector | undefined;
  private stopping = false;

  constructor(private readonly options: ElectedRunOptions) {
    this.exited = new Promise<number>((resolve) => (this.resolveExit = resolve));
    const { election, logger, component } = options;
    let run: Promise<void>;
    if (election.leaderElect) {
      const lock = options.lock();
      const identity = lock.identity();
      const elector = new LeaderElector(
        {
          lock,
          leaseDurationMs: election.leaseDurationMs,
          renewDeadlineMs: election.renewDeadlineMs,
          retryPeriodMs: election.retryPeriodMs,
          releaseOnCancel: options.releaseOnCancel ?? false,
          callbacks: {
            onStartedLeading: (signal) => options.lead(signal),
            onStoppedLeading: () => {
              if (!this.stopping) {
                logger.error({ identity }, 'leaderelection lost');
              }
              void this.stopWork(election.leaseDurationMs).then(() =>
                this.resolveExit(this.stopping ? 0 : 1),
              );
            },
            onNewLeader: (id) => logger.info({ identity: id }, 'new leader elected'),
          },
        },
        { scheduler: options.scheduler, logger },
      );
      this.elector = elector;
      options.checks.push({ name: 'leaderElection', check: () => elector.check() });
      run = elector.run(this.abort.signal);
    } else {
      run = options.lead(this.abort.signal);
    }
    run.catch((err: unknown) => {
      logger.error({ err: errorMessage(err) }, `${component} failed`);
      void this.stopWork(election.leaseDurationMs).then(() => this.resolveExit(1));
    });
  }

  /**
   * Stops the work, but exits even if that fails or never ends: upstream's process exits at once
   * when the lease is lost ("leaderelection lost"), and whoever restarts it (the kubelet, or
   * `nimbus up`) must not wait on a drain stuck behind a saturated api-server. The work was told to
   * stop (its signal aborted); after a lease duration another replica may lead anyway, so waiting
   * longer protects nothing.
   */
  private async stopWork(boundMs: number): Promise<void> {
    const { logger, component, scheduler } = this.options;
    let timer: { cancel(): void } | undefined;
    const bounded = new Promise<void>((resolve) => {
      timer = scheduler.setTimer(() => {
        logger.warn({ boundMs }, `${component} did not stop its work in time; exiting anyway`);
        resolve();
      }, boundMs);
    });
    const stopped = this.options.stopLeading().catch((err: unknown) => {
      logger.error({ err: errorMessage(err) }, `${component} failed to stop its work`);
    });
    await Promise.race([stopped, bounded]);
    timer?.cancel();
  }

  /** Ends the run (the work stops, the lease is released if configured); resolves on exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    if (!this.elector) {
      await this.options.stopLeading();
      this.resolveExit(0);
    }
    await this.exited;
  }
}

import type { Registry } from 'prom-client';
import {
  LeaderElector,
  errorMessage,
  shutdownBroadcasters,
  type EventBroadcaster,
  type LeaseLock,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { ControllerSet } from './controller-descriptor';
import { startHealthServer, type HealthCheck, type HealthServer } from './health-server';

export interface LeaderElectionSettings {
  lock: LeaseLock;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Hand the lease back on close (upstream's alpha gate, off by default). */
  releaseOnCancel: boolean;
}

export interface ControllerManagerProcessOptions {
  /** For logs: `kube-controller-manager`. */
  component: string;
  identity: string;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
  broadcaster: EventBroadcaster;
  /** undefined = `--leader-elect=false`. */
  leaderElection?: LeaderElectionSettings;
  /** `/healthz` + `/metrics`; undefined = `--secure-port=-1`. */
  health?: { bindAddress: string; port: number };
  /** Starts the controllers while leading; `signal` aborts when leadership ends. */
  lead(signal: AbortSignal): Promise<ControllerSet>;
}

export interface RunningControllerManager {
  identity: string;
  /** `/healthz` and `/metrics` base URL; undefined with `--secure-port=-1`. */
  healthUrl: string | undefined;
  registry: Registry;
  /** True while leading (always, once running, with `--leader-elect=false`). */
  isLeader(): boolean;
  /** 1 when leadership was lost (upstream exits 1 in OnStoppedLeading), 0 after `close()`. */
  readonly exited: Promise<number>;
  /** Graceful stop: controllers drain, queued events get a moment to be written. */
  close(): Promise<void>;
}

/**
 * The process around a controller manager's controllers (upstream app/controllermanager.go):
 * serve /healthz (with the leader-election check) and /metrics, campaign for the Lease when
 * electing, start the controllers while leading, stop them when leadership ends or on close.
 */
export async function startControllerManagerProcess(
  options: ControllerManagerProcessOptions,
): Promise<RunningControllerManager> {
  const { logger, scheduler, broadcaster, identity } = options;
  const checks: HealthCheck[] = [];
  const health: HealthServer | undefined = options.health
    ? await startHealthServer(
        options.health.bindAddress,
        options.health.port,
        options.registry,
        () => checks,
      )
    : undefined;

  let leading = false;
  let closing = false;
  let closed: Promise<void> | undefined;
  let running: ControllerSet | undefined;
  let leadStarted: Promise<void> | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const stop = new AbortController();

  const lead = (signal: AbortSignal): Promise<void> => {
    leading = true;
    leadStarted = options.lead(signal).then((set) => {
      running = set;
    });
    return leadStarted;
  };
  const stopControllers = async () => {
    leading = false;
    // A start still waiting for informer caches must not hold shutdown forever.
    await Promise.race([leadStarted?.catch(() => undefined), wallDelay(10_000)]);
    const current = running;
    running = undefined;
    await current?.stop();
  };

  let elector: LeaderElector | undefined;
  let election: Promise<void>;
  if (options.leaderElection) {
    const le = options.leaderElection;
    elector = new LeaderElector(
      {
        lock: le.lock,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        releaseOnCancel: le.releaseOnCancel,
        callbacks: {
          onStartedLeading: (signal) => lead(signal),
          onStoppedLeading: () => {
            if (!closing) {
              logger.error({ identity }, 'leaderelection lost');
            }
            void stopControllers().then(() => resolveExit(closing ? 0 : 1));
          },
          onNewLeader: (id) => logger.info({ identity: id }, 'new leader elected'),
        },
      },
      { scheduler, logger },
    );
    const e = elector;
    checks.push({ name: 'leaderElection', check: () => e.check() });
    election = elector.run(stop.signal);
  } else {
    election = lead(stop.signal);
  }
  election.catch((err: unknown) => {
    logger.error({ err: errorMessage(err) }, `${options.component} failed`);
    void stopControllers().then(() => resolveExit(1));
  });

  return {
    identity,
    healthUrl: health?.url,
    registry: options.registry,
    isLeader: () => leading,
    exited,
    close() {
      closed ??= (async () => {
        closing = true;
        stop.abort();
        if (!elector) {
          await stopControllers();
          resolveExit(0);
        }
        await exited;
        await shutdownBroadcasters([broadcaster]);
        await health?.close();
      })();
      return closed;
    },
  };
}

/**
 * Shutdown bounds run on real time: the scheduler may follow a frozen cluster clock, and a
 * stop must not wait for someone to advance it.
 */
function wallDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

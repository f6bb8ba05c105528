import type { Registry } from 'prom-client';
import type { ControlPlaneConfig } from '@app/config';
import {
  ElectedRun,
  shutdownBroadcasters,
  startHealthServer,
  type EventBroadcaster,
  type HealthCheck,
  type LeaderElectionSettings,
  type Logger,
  type RunningComponent,
  type Scheduler,
} from '@app/controller-runtime';
import { KubeLeaseLock, type KubeConfig } from '@app/kube-client';
import type { ControllerSet } from './controller-descriptor';

/**
 * How long a stop waits for a start still syncing caches, in real time: the scheduler may follow
 * a frozen cluster clock, and a stop must not wait for someone to advance it.
 */
const WALL_BOUND_MS = 10_000;

export interface ControllerManagerProcessOptions {
  /** For logs: `kube-controller-manager`. */
  component: string;
  identity: string;
  /** Runs leader election: keep it on the wall clock (a frozen cluster clock must not cost the lease). */
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
  broadcaster: EventBroadcaster;
  /** `/healthz` + `/metrics` on `--bind-address:--secure-port` (-1 = off, 0 = any free port). */
  serving: Pick<ControlPlaneConfig, 'bindAddress' | 'securePort'>;
  /** `--leader-elect*`: the Lease `leaseNamespace/leaseName`, taken through `kubeConfig`. */
  election: LeaderElectionSettings;
  kubeConfig: KubeConfig;
  /** Hand the lease back on close (upstream's alpha gate, off by default). */
  releaseOnCancel?: boolean;
  /** Starts the controllers while leading; `signal` aborts when leadership ends. */
  lead(signal: AbortSignal): Promise<ControllerSet>;
}

/**
 * The process around a controller manager's controllers (upstream app/controllermanager.go), on
 * the pieces every control-plane component shares: the health server and ElectedRun. Starts the
 * controllers while leading, stops them when leadership ends or on close.
 */
export async function startControllerManagerProcess(
  options: ControllerManagerProcessOptions,
): Promise<RunningComponent> {
  const { logger, scheduler, broadcaster, identity, serving, election } = options;
  const checks: HealthCheck[] = [];
  const health =
    serving.securePort >= 0
      ? await startHealthServer(
          serving.bindAddress,
          serving.securePort,
          options.registry,
          () => checks,
        )
      : undefined;

  let leading = false;
  let closed: Promise<void> | undefined;
  let running: ControllerSet | undefined;
  let leadStarted: Promise<void> | undefined;

  const run = new ElectedRun({
    component: options.component,
    election,
    lock: () =>
      new KubeLeaseLock(
        options.kubeConfig,
        election.leaseNamespace,
        election.leaseName,
        identity,
        election.renewDeadlineMs,
      ),
    releaseOnCancel: options.releaseOnCancel,
    scheduler,
    logger,
    checks,
    lead: (signal) => {
      leading = true;
      leadStarted = options.lead(signal).then((set) => {
        running = set;
      });
      return leadStarted;
    },
    stopLeading: async () => {
      leading = false;
      // A start still waiting for informer caches must not hold shutdown forever: once it gets
      // there, the controllers see the aborted signal and stop what they started themselves.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        leadStarted?.catch(() => undefined),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, WALL_BOUND_MS))),
      ]);
      clearTimeout(timer);
      const current = running;
      running = undefined;
      await current?.stop();
    },
  });

  return {
    identity,
    healthUrl: health?.url,
    registry: options.registry,
    isLeader: () => leading,
    exited: run.exited,
    close() {
      closed ??= (async () => {
        await run.stop();
        await shutdownBroadcasters([broadcaster]);
        await health?.close();
      })();
      return closed;
    },
  };
}

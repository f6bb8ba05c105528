import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { AdjustableClock, type Clock } from '@app/common';
import { cloudClientTlsFromFlags } from '@app/cloud-client';
import {
  NimbusCloudProvider,
  type CloudProvider,
  type NodeAdoptionPolicy,
} from '@app/cloud-provider';
import { ConfigError, type CloudControllerManagerConfig } from '@app/config';
import {
  ElectedRun,
  EventBroadcaster,
  SystemScheduler,
  errorMessage,
  noopLogger,
  sleep,
  startHealthServer,
  type EventRecorder,
  type HealthCheck,
  type HealthServer,
  type Logger,
  type RunningComponent,
  type Scheduler,
} from '@app/controller-runtime';
import {
  InformerFactory,
  KubeClient,
  KubeEventSink,
  KubeLeaseLock,
  kubeConfigFor,
  type KubeConfig,
} from '@app/kube-client';
import { ADOPTION_COMPONENT, adoptionAwareCloud, adoptionPolicy } from './adoption/adoption-cloud';
import { parseClusterCidrs } from './cluster-cidr';
import type { ControllerDescriptor } from './controller-context';
import { isControllerEnabled, unknownControllers } from './controller-names';
import { CONTROLLERS } from './controllers';
import { runControllers, type ControllerSet } from './run-controllers';
import { settingsOf } from './settings';

export interface CloudControllerManagerDeps {
  clock?: Clock;
  /**
   * Timers and "now" of every controller (work-queue backoff, periods, leader election); default
   * the clock plus Node timers. Tests pass a ManualScheduler to drive backoff exactly.
   */
  scheduler?: Scheduler;
  logger?: Logger;
  /** Replaces the Nimbus provider built from `--cloud-url`/`--cloud-token` (tests). */
  cloud?: CloudProvider;
  /** Replaces the kubeconfig from `--kubeconfig` / in-cluster. */
  kubeConfig?: KubeConfig;
  /** Replaces the typed client (tests simulate refused writes with it). */
  kube?: KubeClient;
  /** Leader-election identity; default `<hostname>_<uuid>` as upstream. */
  identity?: string;
  /** Default: every built-in controller. */
  controllers?: readonly ControllerDescriptor[];
  version?: string;
  /**
   * Hand the lease back on `close()` (upstream's alpha gate ControllerManagerReleaseLeaderElection-
   * LockOnExit, off by default). `nimbus up` sets it so a restart does not wait for the old lease.
   */
  releaseLeaseOnClose?: boolean;
}

/** `close()`: controllers drain, the lease is kept until it expires (upstream default). */
export type RunningCloudControllerManager = RunningComponent;

/**
 * Starts the cloud-controller-manager (upstream app/controllermanager.go order): validate,
 * serve /healthz and /metrics, then (while leading) initialise the cloud, build the enabled
 * controllers, start the informers and the controllers.
 */
export async function startCloudControllerManager(
  config: CloudControllerManagerConfig,
  deps: CloudControllerManagerDeps = {},
): Promise<RunningCloudControllerManager> {
  const settings = settingsOf(config);
  const descriptors = deps.controllers ?? CONTROLLERS;
  const unknown = unknownControllers(
    settings.controllers,
    descriptors.map((d) => d.name),
  );
  if (unknown.length > 0) {
    throw new ConfigError(`--controllers: unknown controller(s) ${unknown.join(', ')}`);
  }
  const enabled = descriptors.filter((d) => isControllerEnabled(d.name, settings.controllers));
  if (settings.clusterCidr.trim() !== '') {
    parseClusterCidrs(settings.clusterCidr); // throws a ConfigError naming the bad value
  }
  for (const d of enabled) {
    d.validate?.(settings);
  }

  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler: Scheduler = deps.scheduler ?? new SystemScheduler(clock);
  const registry = new Registry();
  const identity = deps.identity ?? `${hostname()}_${randomUUID()}`;
  const kc = deps.kubeConfig ?? kubeConfigFor(config.kubeconfig);
  const kube = deps.kube ?? new KubeClient(kc);
  const broadcaster = new EventBroadcaster({ sink: new KubeEventSink(kc), scheduler, logger });
  let adoptionRecorder: EventRecorder | undefined;
  const adoption = settings.adoptNodes
    ? adoptionPolicy(
        settings,
        () => (adoptionRecorder ??= broadcaster.newRecorder({ component: ADOPTION_COMPONENT })),
        logger,
      )
    : undefined;
  const cloud = adoptionAwareCloud(
    deps.cloud ?? nimbusProvider(config, deps.version, adoption, deps.logger),
    settings,
  );

  const checks: HealthCheck[] = [];
  const health: HealthServer | undefined =
    config.securePort >= 0
      ? await startHealthServer(config.bindAddress, config.securePort, registry, () => checks)
      : undefined;

  let leading = false;
  let closed: Promise<void> | undefined;
  let running: ControllerSet | undefined;

  let leadStarted: Promise<void> | undefined;
  const lead = (signal: AbortSignal): Promise<void> => {
    leadStarted = startLeading(signal);
    return leadStarted;
  };
  const startLeading = async (signal: AbortSignal) => {
    leading = true;
    const informers = new InformerFactory(kc, {
      scheduler,
      onError: (resource, err) =>
        logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
    });
    running = await runControllers(
      enabled,
      {
        settings,
        cloud,
        informers,
        kube,
        eventRecorder: (component) => broadcaster.newRecorder({ component }),
        scheduler,
        logger,
        registry,
        identity,
      },
      signal,
    );
  };
  const stopControllers = async () => {
    leading = false;
    // A start still waiting for informer caches must not hold shutdown forever: once it gets
    // there, runControllers sees the aborted signal and stops what it started itself.
    const giveUp = new AbortController();
    await Promise.race([
      leadStarted?.catch(() => undefined),
      sleep(scheduler, 10_000, giveUp.signal),
    ]);
    giveUp.abort();
    const current = running;
    running = undefined;
    await current?.stop();
  };

  const run = new ElectedRun({
    component: 'cloud-controller-manager',
    election: settings,
    lock: () => new KubeLeaseLock(kc, settings.leaseNamespace, settings.leaseName, identity),
    releaseOnCancel: deps.releaseLeaseOnClose,
    scheduler,
    logger,
    checks,
    lead,
    stopLeading: stopControllers,
  });

  return {
    identity,
    healthUrl: health?.url,
    registry,
    isLeader: () => leading,
    exited: run.exited,
    close() {
      closed ??= (async () => {
        await run.stop();
        // Events still queued get a moment to reach the api-server, then are dropped.
        await Promise.race([broadcaster.flush(), sleep(scheduler, 2000)]);
        broadcaster.shutdown();
        await health?.close();
      })();
      return closed;
    },
  };
}

function nimbusProvider(
  config: CloudControllerManagerConfig,
  version?: string,
  adoption?: NodeAdoptionPolicy,
  logger?: Logger,
): CloudProvider {
  if (!config.cloudToken) {
    throw new ConfigError('--cloud-token (NIMBUS_CLOUD_TOKEN) is required');
  }
  return NimbusCloudProvider.create(
    {
      baseUrl: config.cloudUrl,
      token: config.cloudToken,
      version,
      tls: cloudClientTlsFromFlags(config),
      // Without a logger the client warns on stderr itself (process.emitWarning).
      warn: logger && ((message) => logger.warn({}, message)),
    },
    {
      clusterName: config.clusterName,
      defaultVolumeZone: config.defaultVolumeZone || undefined,
      adoption,
    },
  );
}

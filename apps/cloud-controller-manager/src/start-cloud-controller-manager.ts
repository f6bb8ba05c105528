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
import { enabledControllers, startControllerManagerProcess } from '@app/controller-manager';
import {
  EventBroadcaster,
  SystemScheduler,
  errorMessage,
  noopLogger,
  type EventRecorder,
  type Logger,
  type RunningComponent,
  type Scheduler,
} from '@app/controller-runtime';
import {
  InformerFactory,
  KubeClient,
  KubeEventSink,
  kubeConfigFor,
  kubernetesUserAgent,
  withUserAgent,
  type KubeConfig,
} from '@app/kube-client';
import { ADOPTION_COMPONENT, adoptionAwareCloud, adoptionPolicy } from './adoption/adoption-cloud';
import { parseClusterCidrs } from './cluster-cidr';
import type { ControllerDescriptor } from './controller-context';
import { isControllerEnabled, unknownControllers } from './controller-names';
import { CONTROLLERS } from './controllers';
import { runControllers } from './run-controllers';
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
  /**
   * kube-proxy's /healthz port when it is known only at run time (`nimbus up` with port 0);
   * undefined falls back to `--kube-proxy-healthz-port`.
   */
  kubeProxyHealthzPort?: () => number | undefined;
  /** Default: every built-in controller. */
  controllers?: readonly ControllerDescriptor[];
  version?: string;
  /**
   * Hand the lease back on `close()` (upstream's alpha gate ControllerManagerReleaseLeaderElection-
   * LockOnExit, off by default). `nimbus up` sets it so a restart does not wait for the old lease.
   */
  releaseLeaseOnClose?: boolean;
}

/**
 * The running CCM: `identity`, `healthUrl`, `registry`, `isLeader()`, `exited` (1 when leadership
 * was lost — upstream exits 1 in OnStoppedLeading — 0 after `close()`), `close()` (controllers
 * drain; the lease is kept until it expires unless `releaseLeaseOnClose`).
 */
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
  if (settings.clusterCidr.trim() !== '') {
    parseClusterCidrs(settings.clusterCidr); // throws a ConfigError naming the bad value
  }
  const enabled = enabledControllers(descriptors, settings, {
    unknown: (list) =>
      unknownControllers(
        list,
        descriptors.map((d) => d.name),
      ),
    isEnabled: isControllerEnabled,
  });

  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler: Scheduler = deps.scheduler ?? new SystemScheduler(clock);
  const registry = new Registry();
  const identity = deps.identity ?? `${hostname()}_${randomUUID()}`;
  // client-go's User-Agent, whose product the api-server records as the manager of our writes.
  const kc = withUserAgent(
    deps.kubeConfig ?? kubeConfigFor(config.kubeconfig),
    kubernetesUserAgent('cloud-controller-manager'),
  );
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
    deps.cloud ??
      nimbusProvider(config, deps.version, adoption, deps.logger, deps.kubeProxyHealthzPort),
    settings,
  );

  return startControllerManagerProcess({
    component: 'cloud-controller-manager',
    identity,
    // Leader election on the wall clock unless a test drives the scheduler: advancing the
    // cluster's clock (nimbus up shares the cloud's) must not cost the lease.
    scheduler: deps.scheduler ?? new SystemScheduler(new AdjustableClock()),
    logger,
    registry,
    broadcaster,
    serving: config,
    election: settings,
    kubeConfig: kc,
    releaseOnCancel: deps.releaseLeaseOnClose,
    lead: (signal) =>
      runControllers(
        enabled,
        {
          settings,
          cloud,
          informers: new InformerFactory(kc, {
            scheduler,
            onError: (resource, err) =>
              logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
          }),
          kube,
          eventRecorder: (component) => broadcaster.newRecorder({ component }),
          scheduler,
          logger,
          registry,
          identity,
        },
        signal,
      ),
  });
}

function nimbusProvider(
  config: CloudControllerManagerConfig,
  version?: string,
  adoption?: NodeAdoptionPolicy,
  logger?: Logger,
  kubeProxyHealthzPort?: () => number | undefined,
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
      kubeProxyHealthzPort: () => kubeProxyHealthzPort?.() ?? config.kubeProxyHealthzPort,
    },
  );
}

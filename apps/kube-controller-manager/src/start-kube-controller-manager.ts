import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { AdjustableClock, type Clock } from '@app/common';
import { ConfigError, type KubeControllerManagerConfig } from '@app/config';
import {
  ControllerNames,
  enabledControllers,
  runControllers,
  startControllerManagerProcess,
} from '@app/controller-manager';
import {
  ClockScheduler,
  EventBroadcaster,
  Indexer,
  SystemScheduler,
  errorMessage,
  noopLogger,
  type Logger,
  type RunningComponent,
} from '@app/controller-runtime';
import {
  KubeEventSink,
  KubeRest,
  SharedInformers,
  kubeConfigFor,
  kubernetesUserAgent,
  withUserAgent,
  type KubeConfig,
  type PodObject,
} from '@app/kube-client';
import type { ControllerContext, ControllerDescriptor } from './controller-context';
import { CONTROLLERS } from './controllers';
import { settingsOf } from './settings';
import { podControllerUidIndex } from './util/pods-by-owner';

export interface KubeControllerManagerDeps {
  /** The cluster clock (`nimbus up` shares the cloud's); default the wall clock. */
  clock?: Clock;
  logger?: Logger;
  /** Replaces the kubeconfig from `--kubeconfig` / in-cluster. */
  kubeConfig?: KubeConfig;
  /** Leader-election identity; default `<hostname>_<uuid>` as upstream. */
  identity?: string;
  /** Default: every built-in controller (CONTROLLERS). */
  controllers?: readonly ControllerDescriptor[];
  /** Hand the lease back on close (`nimbus up` sets it so a restart leads at once). */
  releaseLeaseOnClose?: boolean;
}

export type RunningKubeControllerManager = RunningComponent;

/**
 * Starts the kube-controller-manager (upstream cmd/kube-controller-manager, 1.32 defaults):
 * validate flags and every enabled controller, serve /healthz + /metrics on `--secure-port`
 * (10257), elect a leader on the Lease `kube-system/kube-controller-manager`, and while leading
 * run the enabled controllers over shared informers.
 */
export async function startKubeControllerManager(
  config: KubeControllerManagerConfig,
  deps: KubeControllerManagerDeps = {},
): Promise<RunningKubeControllerManager> {
  const settings = settingsOf(config);
  const descriptors = deps.controllers ?? CONTROLLERS;
  const enabled = enabledControllers(descriptors, settings, new ControllerNames(descriptors));

  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler = new SystemScheduler(clock);
  const clockScheduler = new ClockScheduler(clock);
  const registry = new Registry();
  const identity = deps.identity ?? `${hostname()}_${randomUUID()}`;
  // client-go's User-Agent, whose product the api-server records as the manager of our writes.
  const kc = withUserAgent(
    deps.kubeConfig ?? kubeConfigFor(config.kubeconfig),
    kubernetesUserAgent('kube-controller-manager'),
  );
  const rest = new KubeRest(kc);
  const rootCa = settings.rootCa ?? clusterCaOf(kc);
  const broadcaster = new EventBroadcaster({ sink: new KubeEventSink(kc), scheduler, logger });
  // Leader election runs on the wall clock: advancing the cluster clock must not cost the lease.
  const wall = new SystemScheduler(new AdjustableClock());

  return startControllerManagerProcess({
    component: 'kube-controller-manager',
    identity,
    scheduler: wall,
    logger,
    registry,
    broadcaster,
    serving: config,
    election: settings,
    kubeConfig: kc,
    releaseOnCancel: deps.releaseLeaseOnClose,
    lead: (signal) => {
      const informers = new SharedInformers(kc, rest, {
        scheduler,
        onError: (resource, err) =>
          logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
      });
      let podsByNode: Indexer<PodObject> | undefined;
      let podsByNamespace: Indexer<PodObject> | undefined;
      let podsByControllerUid: Indexer<PodObject> | undefined;
      const ctx: ControllerContext = {
        settings,
        informers,
        podsByNode: () =>
          (podsByNode ??= new Indexer(informers.pods(), (pod) =>
            pod.spec?.nodeName ? [pod.spec.nodeName] : [],
          )),
        podsByNamespace: () =>
          (podsByNamespace ??= new Indexer(informers.pods(), (pod) => [
            pod.metadata?.namespace ?? '',
          ])),
        podsByControllerUid: () =>
          (podsByControllerUid ??= new Indexer(informers.pods(), podControllerUidIndex)),
        rest,
        eventRecorder: (component) => broadcaster.newRecorder({ component }),
        scheduler,
        clockScheduler,
        clock,
        rootCa,
        logger,
        registry,
      };
      return runControllers(
        enabled,
        ctx,
        {
          logger,
          startInformers: () => informers.start(),
          stopInformers: () => informers.stop(),
        },
        signal,
      );
    },
  });
}

/** The CA the kubeconfig trusts for its cluster (upstream falls back to the client's CAData). */
function clusterCaOf(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caData) {
    return Buffer.from(cluster.caData, 'base64').toString('utf8');
  }
  if (cluster?.caFile) {
    try {
      return readFileSync(cluster.caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `cannot read the cluster CA ${cluster.caFile}: ${(error as Error).message}`,
      );
    }
  }
  return '';
}

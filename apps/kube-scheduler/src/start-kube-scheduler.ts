import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { AdjustableClock, type Clock } from '@app/common';
import type { KubeSchedulerConfig } from '@app/config';
import {
  errorMessage,
  ElectedRun,
  EventsV1Broadcaster,
  noopLogger,
  sleep,
  startHealthServer,
  SystemScheduler,
  waitForCacheSync,
  type HealthCheck,
  type HealthServer,
  type Logger,
  type RunningComponent,
  type Scheduler,
} from '@app/controller-runtime';
import {
  KubeEventsV1Sink,
  KubeLeaseLock,
  KubeRest,
  kubeConfigFor,
  kubernetesUserAgent,
  withUserAgent,
  PodClient,
  StorageClients,
  type KubeConfig,
} from '@app/kube-client';
import { SchedulerCache } from './cache/scheduler-cache';
import { defaultFramework } from './framework/default-profile';
import { ScheduleAlgorithm } from './framework/schedule-pod';
import { SchedulingQueue } from './queue/scheduling-queue';
import { ClusterInformers } from './scheduler/cluster-informers';
import { addEventHandlers } from './scheduler/event-handlers';
import { listersOf } from './scheduler/listers';
import { SchedulerMetrics } from './scheduler/metrics';
import { Preemptor } from './scheduler/preemptor';
import { SchedulerLoop } from './scheduler/scheduler-loop';
import { volumeApiOver } from './scheduler/volume-api';
import { settingsOf } from './settings';

export interface KubeSchedulerDeps {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the kubeconfig from `--kubeconfig` / in-cluster. */
  kubeConfig?: KubeConfig;
  /** Leader-election identity; default `<hostname>_<uuid>` as upstream. */
  identity?: string;
  /** For `reportingInstance` (`default-scheduler-<hostname>`); default os.hostname(). */
  hostname?: string;
  /** Tie-breaks between equal scores and preemption offsets (tests make them deterministic). */
  random?: () => number;
  /** Hand the lease back on `close()` (so a restart need not wait for it to expire). */
  releaseLeaseOnClose?: boolean;
}

/** `close()`: no new attempts, bindings in flight finish, events are flushed (bounded). */
export type RunningKubeScheduler = RunningComponent;

/**
 * Starts kube-scheduler (cmd/kube-scheduler/app.Run order): validate, serve /healthz and /metrics,
 * start the informers and wait for their caches, then — while holding the Lease
 * `kube-system/kube-scheduler` — schedule pods of `schedulerName: default-scheduler`.
 */
export async function startKubeScheduler(
  config: KubeSchedulerConfig,
  deps: KubeSchedulerDeps = {},
): Promise<RunningKubeScheduler> {
  const settings = settingsOf(config);
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler: Scheduler = new SystemScheduler(clock);
  const random = deps.random ?? Math.random;
  const registry = new Registry();
  const identity = deps.identity ?? `${hostname()}_${randomUUID()}`;
  // client-go's User-Agent, whose product the api-server records as the manager of our writes.
  const kc = withUserAgent(
    deps.kubeConfig ?? kubeConfigFor(settings.kubeconfig),
    kubernetesUserAgent('kube-scheduler'),
  );
  const pods = new PodClient(kc);
  const broadcaster = new EventsV1Broadcaster({
    sink: new KubeEventsV1Sink(kc),
    scheduler,
    logger,
    hostname: deps.hostname ?? hostname(),
  });
  const recorder = broadcaster.newRecorder(settings.schedulerName);

  const informers = await ClusterInformers.create(kc, {
    scheduler,
    onError: (resource, err) =>
      logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
  });
  const cache = new SchedulerCache();
  // The metrics read the queue's counts; the queue reports to the metrics.
  const built: { queue?: SchedulingQueue } = {};
  const metrics = new SchedulerMetrics(
    registry,
    settings.schedulerName,
    () => built.queue?.pendingCounts() ?? { active: 0, backoff: 0, unschedulable: 0, gated: 0 },
  );
  const framework = defaultFramework(
    {
      cache,
      listers: listersOf(informers),
      volumes: volumeApiOver(new StorageClients(new KubeRest(kc))),
      time: scheduler,
    },
    { random, preemption: new Preemptor(pods, recorder, metrics, scheduler, logger) },
  );
  const q = new SchedulingQueue({
    scheduler,
    framework,
    logger,
    podInitialBackoffMs: settings.podInitialBackoffMs,
    podMaxBackoffMs: settings.podMaxBackoffMs,
    maxInUnschedulableMs: settings.maxInUnschedulableMs,
    onIncoming: (q, event) => metrics.incomingPod(q, event),
  });
  built.queue = q;
  addEventHandlers(informers, cache, q, settings.schedulerName);
  const loop = new SchedulerLoop({
    framework,
    algorithm: new ScheduleAlgorithm(framework, cache, settings.percentageOfNodesToScore, random),
    cache,
    queue: q,
    pods,
    recorder,
    lookupPod: (key) => informers.pods.get(key),
    scheduler,
    metrics,
    logger,
  });

  const checks: HealthCheck[] = [];
  const health: HealthServer | undefined =
    config.securePort >= 0
      ? await startHealthServer(config.bindAddress, config.securePort, registry, () => checks)
      : undefined;

  const stop = new AbortController();
  broadcaster.start();
  await informers.start();
  const synced = waitForCacheSync(
    'kube-scheduler',
    informers.all(),
    scheduler,
    logger,
    stop.signal,
  );
  checks.push({
    name: 'sched-handler-sync',
    check: () =>
      informers.all().every((i) => i.hasSynced()) ? undefined : new Error('caches not synced'),
  });

  let leading = false;
  let closed: Promise<void> | undefined;
  const run = new ElectedRun({
    component: 'kube-scheduler',
    election: settings.election,
    lock: () =>
      new KubeLeaseLock(
        kc,
        settings.election.leaseNamespace,
        settings.election.leaseName,
        identity,
        settings.election.renewDeadlineMs,
      ),
    releaseOnCancel: deps.releaseLeaseOnClose,
    scheduler,
    logger,
    checks,
    lead: async (signal) => {
      if (!(await synced) || signal.aborted) {
        return;
      }
      leading = true;
      q.run();
      loop.start();
      logger.info({ identity }, 'scheduling pods');
    },
    stopLeading: async () => {
      leading = false;
      await q.close();
      await loop.stop();
    },
  });

  return {
    identity,
    healthUrl: health?.url,
    registry,
    isLeader: () => leading,
    exited: run.exited,
    close() {
      closed ??= (async () => {
        stop.abort();
        await run.stop();
        await informers.stop();
        // Events still queued get a moment to reach the api-server, then are dropped.
        await Promise.race([broadcaster.flush(), sleep(scheduler, 2000)]);
        await broadcaster.shutdown();
        await health?.close();
      })();
      return closed;
    },
  };
}

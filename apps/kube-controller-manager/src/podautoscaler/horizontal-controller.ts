import {
  Controller,
  EventType,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  apiErrorMessage,
  type HorizontalPodAutoscalerObject,
  type InformerAdapter,
  type KubeRest,
  type PodObject,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { HpaSelectors } from './hpa-selectors';
import { AutoscalerHistory } from './normalize-replicas';
import { reconcileAutoscaler, type ScaleClient } from './reconcile-autoscaler';
import type { ReplicaCalculatorSettings } from './replica-calculator';
import type { ResourceMetricsSource } from './resource-metrics-client';

export interface HorizontalControllerDeps {
  rest: KubeRest;
  hpas: InformerAdapter<HorizontalPodAutoscalerObject>;
  scales: ScaleClient;
  metrics: ResourceMetricsSource;
  /** The pods of a namespace, from the shared informer. */
  pods: (namespace: string) => readonly PodObject[];
  recorder: EventRecorder;
  scheduler: Scheduler;
  /** The resync runs on the cluster clock, so advancing it syncs the autoscalers. */
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization. */
  downscaleStabilizationMs: number;
  calculator: ReplicaCalculatorSettings;
}

const keyOf = (o: HorizontalPodAutoscalerObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * upstream pkg/controller/podautoscaler (`horizontal-pod-autoscaler-controller`): every
 * autoscaler is synced once per sync period — a new or changed one too, after the period, as
 * upstream's fixed-interval queue does: its target's scale is held within min and max replicas
 * and set from the resource metrics (metrics.k8s.io) through upstream's replica calculation,
 * stabilization and rate limits. Custom and external metrics are not served; those metrics
 * report upstream's "unable to fetch metrics" conditions and events.
 */
export class HorizontalController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;
  private readonly history: AutoscalerHistory;
  private readonly selectors: HpaSelectors;

  constructor(private readonly deps: HorizontalControllerDeps) {
    this.controller = new Controller({
      name: 'horizontal-pod-autoscaler-controller',
      queueName: 'horizontalpodautoscaler',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.hpas],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.history = new AutoscalerHistory(deps.downscaleStabilizationMs);
    this.selectors = new HpaSelectors();
    const later = (obj: HorizontalPodAutoscalerObject) =>
      this.requeue.notLaterThan(keyOf(obj), deps.syncPeriodMs);
    deps.hpas.addEventHandler({
      onAdd: later,
      onUpdate: (_old, cur) => later(cur),
      onDelete: (obj) => {
        const key = keyOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj);
        this.requeue.cancel(key);
        this.history.forget(key);
        this.selectors.forget(key);
      },
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const hpa = this.deps.hpas.get(key);
    if (!hpa) {
      // Deleted: no resync, and a new autoscaler of that name starts without its history.
      this.history.forget(key);
      this.selectors.forget(key);
      return;
    }
    // Errors are logged, not retried with backoff: the next sync comes after the period anyway.
    this.requeue.notLaterThan(key, this.deps.syncPeriodMs);
    const outcome = await reconcileAutoscaler(
      key,
      hpa,
      {
        scales: this.deps.scales,
        metrics: this.deps.metrics,
        pods: this.deps.pods,
        settings: this.deps.calculator,
        history: this.history,
        selectors: this.selectors,
      },
      this.deps.now(),
    );
    const involved = { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
    for (const event of outcome.events) {
      this.deps.recorder.event(involved, event.type, event.reason, event.message);
    }
    if (!jsonEqual(outcome.status, hpa.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      try {
        await writeStatusUnlessGone(
          this.deps.rest,
          `/apis/autoscaling/v2/namespaces/${encodeURIComponent(namespace)}/horizontalpodautoscalers/${encodeURIComponent(name)}`,
          hpa,
          outcome.status,
        );
      } catch (err) {
        const message = apiErrorMessage(err);
        this.deps.recorder.event(involved, EventType.Warning, 'FailedUpdateStatus', message);
        this.deps.logger.warn({ hpa: key, err: message }, 'failed to update status');
      }
    }
    if (outcome.error) {
      this.deps.logger.warn(
        { hpa: key, err: outcome.error },
        'HorizontalPodAutoscaler sync failed',
      );
    }
  }
}

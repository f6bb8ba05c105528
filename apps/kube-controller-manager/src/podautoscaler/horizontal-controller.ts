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
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { reconcileAutoscaler, type ScaleClient } from './reconcile-autoscaler';

export interface HorizontalControllerDeps {
  rest: KubeRest;
  hpas: InformerAdapter<HorizontalPodAutoscalerObject>;
  scales: ScaleClient;
  recorder: EventRecorder;
  scheduler: Scheduler;
  /** The resync runs on the cluster clock, so advancing it syncs the autoscalers. */
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodMs: number;
}

const keyOf = (o: HorizontalPodAutoscalerObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * upstream pkg/controller/podautoscaler (`horizontal-pod-autoscaler-controller`): every
 * autoscaler is synced once per sync period — a new or changed one too, after the period, as
 * upstream's fixed-interval queue does — and its target's scale held within min and max
 * replicas. Nimbus serves no metrics API, so metric-driven scaling reports upstream's "unable to
 * fetch metrics" conditions and events, as on a cluster without metrics-server.
 */
export class HorizontalController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

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
    const later = (obj: HorizontalPodAutoscalerObject) =>
      this.requeue.notLaterThan(keyOf(obj), deps.syncPeriodMs);
    deps.hpas.addEventHandler({
      onAdd: later,
      onUpdate: (_old, cur) => later(cur),
      onDelete: (obj) =>
        this.requeue.cancel(keyOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj)),
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
      return; // deleted: no resync
    }
    // Errors are logged, not retried with backoff: the next sync comes after the period anyway.
    this.requeue.notLaterThan(key, this.deps.syncPeriodMs);
    const outcome = await reconcileAutoscaler(hpa, this.deps.scales, this.deps.now());
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

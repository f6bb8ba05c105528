import { formatTime } from '@app/controller-runtime';
import type {
  HorizontalPodAutoscalerCondition,
  HorizontalPodAutoscalerObject,
  ScaleObject,
} from '@app/kube-client';
import { computeReplicasForMetrics, type MetricsDeps } from './compute-replicas';
import type { AutoscalerHistory } from './normalize-replicas';
import { NoKindMatchError, type ScaleTarget } from './scale-targets';

type HpaStatus = NonNullable<HorizontalPodAutoscalerObject['status']>;

/** What the reconciler needs from the cluster: the target's Scale, read and written. */
export interface ScaleClient {
  get(namespace: string, group: string, kind: string, name: string): Promise<ScaleTarget>;
  update(target: ScaleTarget, replicas: number): Promise<void>;
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Everything a sync reads besides the autoscaler: the cluster, and what earlier syncs left. */
export interface AutoscalerDeps extends MetricsDeps {
  scales: ScaleClient;
  history: AutoscalerHistory;
}

/** One sync's result: the status to write (when it differs), events, and the error to log. */
export interface AutoscalerOutcome {
  status: HpaStatus;
  events: HpaEvent[];
  error?: string;
}

/**
 * One sync of one HorizontalPodAutoscaler (upstream reconcileAutoscaler, 1.32): read the target's
 * scale, hold it inside [minReplicas, maxReplicas], and otherwise let the metrics propose a count,
 * normalized by the stabilization windows and rate limits, then write the scale.
 */
export async function reconcileAutoscaler(
  key: string,
  hpa: HorizontalPodAutoscalerObject,
  deps: AutoscalerDeps,
  nowMs: number,
): Promise<AutoscalerOutcome> {
  const { scales, history } = deps;
  const namespace = hpa.metadata?.namespace ?? '';
  const spec = hpa.spec;
  const ref = spec?.scaleTargetRef ?? { kind: '', name: '' };
  const reference = `${ref.kind}/${namespace}/${ref.name}`;
  const events: HpaEvent[] = [];
  const warn = (reason: string, message: string) =>
    events.push({ type: 'Warning', reason, message });
  let conditions = [...(hpa.status?.conditions ?? [])];
  const setCondition = (
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ) => {
    conditions = setConditionInList(conditions, { type, status, reason, message }, nowMs);
  };
  const statusWith = (
    currentReplicas: number,
    desiredReplicas: number,
    currentMetrics: HpaStatus['currentMetrics'],
    rescaled: boolean,
  ): HpaStatus =>
    dropUndefined({
      currentReplicas,
      desiredReplicas,
      lastScaleTime: rescaled ? formatTime(nowMs) : hpa.status?.lastScaleTime,
      currentMetrics,
      conditions,
    });
  const original = hpa.status ?? { desiredReplicas: 0 };

  const failGetScale = (message: string, error: string): AutoscalerOutcome => {
    warn('FailedGetScale', message);
    setCondition(
      'AbleToScale',
      'False',
      'FailedGetScale',
      `the HPA controller was unable to get the target's current scale: ${message}`,
    );
    return { status: { ...original, conditions }, events, error };
  };
  const gv = parseGroupVersion(ref.apiVersion ?? '');
  if ('error' in gv) {
    return failGetScale(gv.error, `invalid API version in scale target reference: ${gv.error}`);
  }
  let target: ScaleTarget;
  try {
    target = await scales.get(namespace, gv.group, ref.kind, ref.name);
  } catch (err) {
    const message = (err as Error).message;
    return err instanceof NoKindMatchError
      ? failGetScale(message, `unable to determine resource for scale target reference: ${message}`)
      : failGetScale(message, `failed to query scale subresource for ${reference}: ${message}`);
  }
  setCondition(
    'AbleToScale',
    'True',
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
  );

  const scale: ScaleObject = target.scale;
  const currentReplicas = scale.spec?.replicas ?? 0;
  history.recordInitial(key, currentReplicas, nowMs);
  const minReplicas = spec?.minReplicas ?? 1;
  const maxReplicas = spec?.maxReplicas ?? 0;
  let desiredReplicas = 0;
  let rescaleReason = '';
  let rescale = true;
  let metricStatuses: HpaStatus['currentMetrics'];
  let partialError: string | undefined;
  // setCurrentReplicasAndMetricsInStatus: a failed sync keeps the last desired count.
  const keepingScale = (error: string): AutoscalerOutcome => ({
    status: statusWith(currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false),
    events,
    error,
  });
  if (currentReplicas === 0 && minReplicas !== 0) {
    rescale = false;
    setCondition(
      'ScalingActive',
      'False',
      'ScalingDisabled',
      'scaling is disabled since the replica count of the target is zero',
    );
  } else if (currentReplicas > maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desiredReplicas = maxReplicas;
  } else if (currentReplicas < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desiredReplicas = minReplicas;
  } else {
    const metrics = await computeReplicasForMetrics(
      hpa,
      currentReplicas,
      scale.status?.selector ?? '',
      deps,
      nowMs,
    );
    for (const event of metrics.events) {
      warn(event.reason, event.message);
    }
    const active = metrics.scalingActive;
    setCondition('ScalingActive', active.status, active.reason, active.message);
    metricStatuses = metrics.statuses;
    if (metrics.replicas === -1) {
      const error = metrics.error ?? '';
      warn('FailedComputeMetricsReplicas', error);
      return keepingScale(
        `failed to compute desired number of replicas based on listed metrics for ${reference}: ${error}`,
      );
    }
    partialError = metrics.error;
    let rescaleMetric = '';
    if (metrics.replicas > desiredReplicas) {
      desiredReplicas = metrics.replicas;
      rescaleMetric = metrics.metricName;
    }
    if (desiredReplicas > currentReplicas) {
      rescaleReason = `${rescaleMetric} above target`;
    }
    if (desiredReplicas < currentReplicas) {
      rescaleReason = 'All metrics below target';
    }
    const normalized = spec?.behavior
      ? history.normalizeWithBehavior(
          key,
          spec.behavior,
          currentReplicas,
          desiredReplicas,
          minReplicas,
          maxReplicas,
          nowMs,
        )
      : history.normalize(key, currentReplicas, desiredReplicas, minReplicas, maxReplicas, nowMs);
    const { ableToScale, scalingLimited } = normalized.conditions;
    setCondition('AbleToScale', 'True', ableToScale.reason, ableToScale.message);
    setCondition(
      'ScalingLimited',
      scalingLimited.status,
      scalingLimited.reason,
      scalingLimited.message,
    );
    desiredReplicas = normalized.replicas;
    rescale = desiredReplicas !== currentReplicas;
  }

  if (rescale) {
    try {
      await scales.update(target, desiredReplicas);
    } catch (err) {
      const message = (err as Error).message;
      warn(
        'FailedRescale',
        `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`,
      );
      setCondition(
        'AbleToScale',
        'False',
        'FailedUpdateScale',
        `the HPA controller was unable to update the target scale: ${message}`,
      );
      return keepingScale(`failed to rescale ${reference}: ${message}`);
    }
    setCondition(
      'AbleToScale',
      'True',
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${desiredReplicas}`,
    );
    events.push({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desiredReplicas}; reason: ${rescaleReason}`,
    });
    history.storeScaleEvent(key, spec?.behavior, currentReplicas, desiredReplicas, nowMs);
  } else {
    desiredReplicas = currentReplicas;
  }
  return {
    status: statusWith(currentReplicas, desiredReplicas, metricStatuses, rescale),
    events,
    error: partialError,
  };
}

/** setConditionInList: lastTransitionTime moves only when the status does. */
export function setConditionInList(
  list: HorizontalPodAutoscalerCondition[],
  next: { type: string; status: string; reason: string; message: string },
  nowMs: number,
): HorizontalPodAutoscalerCondition[] {
  const index = list.findIndex((c) => c.type === next.type);
  const existing = index >= 0 ? list[index] : undefined;
  const updated: HorizontalPodAutoscalerCondition = {
    ...next,
    lastTransitionTime:
      existing && existing.status === next.status ? existing.lastTransitionTime : formatTime(nowMs),
  };
  return index >= 0 ? list.map((c, i) => (i === index ? updated : c)) : [...list, updated];
}

/** schema.ParseGroupVersion. */
export function parseGroupVersion(
  text: string,
): { group: string; version: string } | { error: string } {
  if (text === '' || text === '/') {
    return { group: '', version: '' };
  }
  const parts = text.split('/');
  if (parts.length === 1) {
    return { group: '', version: text };
  }
  if (parts.length === 2) {
    return { group: parts[0], version: parts[1] };
  }
  return { error: `unexpected GroupVersion string: ${text}` };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

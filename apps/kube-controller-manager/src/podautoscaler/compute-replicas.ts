import { LabelSelectorSyntaxError, parseLabelSelector } from '@app/common';
import { quantityMilliValue, saturateInt64 } from '@app/csi';
import type { HorizontalPodAutoscalerObject, MetricSpec, PodObject } from '@app/kube-client';
import { metricFailure, type MetricFailure } from './metrics-unavailable';
import {
  rawResourceReplicas,
  resourceReplicas,
  type ReplicaCalculatorSettings,
} from './replica-calculator';
import type { HpaSelectors } from './hpa-selectors';
import type { ResourceMetricsSource } from './resource-metrics-client';

type MetricStatus = NonNullable<
  NonNullable<HorizontalPodAutoscalerObject['status']>['currentMetrics']
>[number];

/** What computing the metrics needs: the metrics API, the pods cache and the flags. */
export interface MetricsDeps {
  metrics: ResourceMetricsSource;
  pods: (namespace: string) => readonly PodObject[];
  settings: ReplicaCalculatorSettings;
  /** Every autoscaler's selector, to refuse pods two of them select (absent: not checked). */
  selectors?: HpaSelectors;
}

export interface MetricsOutcome {
  /** -1 when no metric gave a count (or a failing one might have wanted fewer). */
  replicas: number;
  metricName: string;
  statuses?: MetricStatus[];
  /** The first failure, when some metric failed. */
  error?: string;
  /** Warning events, in order, and the ScalingActive condition to set. */
  events: { reason: string; message: string }[];
  scalingActive: { status: 'True' | 'False'; reason: string; message: string };
}

/**
 * computeReplicasForMetrics (1.32): the selector checks, then each metric's proposal; the highest
 * wins. Resource and ContainerResource metrics come from metrics.k8s.io; Pods, Object and
 * External ones need the custom and external metrics APIs, which Nimbus does not serve.
 */
export async function computeReplicasForMetrics(
  hpa: HorizontalPodAutoscalerObject,
  specReplicas: number,
  selectorText: string,
  deps: MetricsDeps,
  nowMs: number,
): Promise<MetricsOutcome> {
  const events: MetricsOutcome['events'] = [];
  if (selectorText === '') {
    events.push({ reason: 'SelectorRequired', message: 'selector is required' });
    return {
      replicas: -1,
      metricName: '',
      error: 'selector is required',
      events,
      scalingActive: {
        status: 'False',
        reason: 'InvalidSelector',
        message: "the HPA target's scale is missing a selector",
      },
    };
  }
  let matches: (labels: Record<string, string> | undefined) => boolean;
  try {
    matches = parseLabelSelector(selectorText) ?? (() => true);
  } catch (err) {
    if (!(err instanceof LabelSelectorSyntaxError)) {
      throw err;
    }
    const message = `couldn't convert selector into a corresponding internal selector object: ${err.message}`;
    events.push({ reason: 'InvalidSelector', message });
    return {
      replicas: -1,
      metricName: '',
      error: message,
      events,
      scalingActive: { status: 'False', reason: 'InvalidSelector', message },
    };
  }
  const namespace = hpa.metadata?.namespace ?? '';
  const pods = deps.pods(namespace).filter((p) => matches(p.metadata?.labels));
  if (deps.selectors) {
    const key = `${namespace}/${hpa.metadata?.name ?? ''}`;
    deps.selectors.put(key, namespace, matches);
    const selecting = deps.selectors.selecting(namespace, pods);
    if (selecting.length > 1) {
      const message = `pods by selector ${selectorText} are controlled by multiple HPAs: [${selecting.join(' ')}]`;
      events.push({ reason: 'AmbiguousSelector', message });
      return {
        replicas: -1,
        metricName: '',
        error: message,
        events,
        scalingActive: { status: 'False', reason: 'AmbiguousSelector', message },
      };
    }
  }
  const specs = hpa.spec?.metrics ?? [];
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metricName = '';
  let firstFailure: MetricFailure | undefined;
  let invalid = 0;
  for (const [i, spec] of specs.entries()) {
    const result = await computeMetric(
      spec,
      specReplicas,
      selectorText,
      pods,
      namespace,
      deps,
      nowMs,
    );
    if ('failure' in result) {
      events.push({ reason: result.failure.reason, message: result.failure.message });
      firstFailure ??= result.failure;
      invalid++;
      continue;
    }
    statuses[i] = result.status;
    if (replicas === 0 || result.replicas > replicas) {
      replicas = result.replicas;
      metricName = result.metricName;
    }
  }
  const error = firstFailure
    ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstFailure.wrapped}`
    : undefined;
  if (firstFailure && (invalid >= specs.length || replicas < specReplicas)) {
    return {
      replicas: -1,
      metricName: '',
      statuses,
      error,
      events,
      scalingActive: {
        status: 'False',
        reason: firstFailure.reason,
        message: `the HPA was unable to compute the replica count: ${firstFailure.message}`,
      },
    };
  }
  return {
    replicas,
    metricName,
    statuses,
    error,
    events,
    scalingActive: {
      status: 'True',
      reason: 'ValidMetricFound',
      message: `the HPA was able to successfully calculate a replica count from ${metricName}`,
    },
  };
}

type MetricResult =
  { replicas: number; metricName: string; status: MetricStatus } | { failure: MetricFailure };

/** computeReplicasForMetric for one spec. */
async function computeMetric(
  spec: MetricSpec,
  current: number,
  selector: string,
  pods: readonly PodObject[],
  namespace: string,
  deps: MetricsDeps,
  nowMs: number,
): Promise<MetricResult> {
  if (spec.type !== 'Resource' && spec.type !== 'ContainerResource') {
    return { failure: metricFailure(spec, namespace) };
  }
  const container = spec.type === 'ContainerResource';
  const source = container ? spec.containerResource : spec.resource;
  const name = source?.name ?? '';
  const containerName = container ? (spec.containerResource?.container ?? '') : '';
  const target = source?.target ?? { type: '' };
  const byValue = target.averageValue !== undefined && target.averageValue !== null;
  try {
    let fetched;
    try {
      fetched = await deps.metrics.getResourceMetric(name, namespace, selector, containerName);
    } catch (err) {
      throw new Error(`unable to get metrics for resource ${name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const samples = {
      current,
      resource: name,
      pods,
      metrics: fetched.metrics,
      settings: deps.settings,
      nowMs,
    };
    const proposal = byValue
      ? rawResourceReplicas(samples, milli(target.averageValue))
      : resourceReplicas(samples, target.averageUtilization ?? 0, containerName);
    const metricName = byValue
      ? `${name} resource`
      : container
        ? `${name} container resource utilization (percentage of request)`
        : `${name} resource utilization (percentage of request)`;
    const value = dropUndefined({
      averageUtilization: proposal.utilization,
      averageValue: formatMilli(proposal.rawAverage),
    });
    const status: MetricStatus = container
      ? {
          type: 'ContainerResource',
          containerResource: { name, container: containerName, current: value },
        }
      : { type: 'Resource', resource: { name, current: value } };
    return { replicas: proposal.replicas, metricName, status };
  } catch (err) {
    const message = `failed to get ${name} ${byValue ? 'usage' : 'utilization'}: ${(err as Error).message}`;
    return {
      failure: container
        ? {
            reason: 'FailedGetContainerResourceMetric',
            message,
            wrapped: `failed to get ${containerName} container metric value: ${message}`,
          }
        : {
            reason: 'FailedGetResourceMetric',
            message,
            wrapped: `failed to get ${name} resource metric value: ${message}`,
          },
    };
  }
}

/** Quantity.MilliValue of a target (validation made sure it parses). */
const milli = (quantity: string | number | undefined): number =>
  Number(saturateInt64(quantityMilliValue(String(quantity ?? '0'))));

/** resource.NewMilliQuantity(v, DecimalSI).String(): `250m`, `1`, `100M` (exact for big values). */
export function formatMilli(milliValue: number): string {
  const milli = BigInt(Math.trunc(milliValue));
  if (milli % 1000n !== 0n) {
    return `${milli}m`;
  }
  let value = milli / 1000n;
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (value !== 0n && value % 1000n === 0n && i < suffixes.length - 1) {
    value /= 1000n;
    i++;
  }
  return `${value}${suffixes[i]}`;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

import { quantityMilliValue, saturateInt64 } from '@app/csi';
import type { PodObject } from '@app/kube-client';
import type { PodMetricsInfo } from './resource-metrics-client';

/** The controller flags the calculation reads (upstream defaults in settings). */
export interface ReplicaCalculatorSettings {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5m). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30s). */
  delayOfInitialReadinessStatusMs: number;
}

export interface ResourceReplicas {
  replicas: number;
  /** Percent of the requests (utilization targets only). */
  utilization?: number;
  /** The average per pod, milli-units. */
  rawAverage: number;
}

const ms = (time: string | undefined) => (time ? Date.parse(time) : NaN);

/**
 * groupPods: which pods count. Deleted and failed pods are ignored; pending ones are unready;
 * pods without a sample are missing; for CPU a pod not yet Ready, or Ready for less than one
 * sample window within its first `cpuInitializationPeriod`, is unready too.
 */
export function groupPods(
  pods: readonly PodObject[],
  metrics: PodMetricsInfo,
  resource: string,
  settings: ReplicaCalculatorSettings,
  nowMs: number,
): { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = ms(pod.status?.startTime);
      let isUnready: boolean;
      if (!ready || Number.isNaN(start)) {
        isUnready = true;
      } else {
        const transition = ms(ready.lastTransitionTime);
        if (start + settings.cpuInitializationPeriodMs > nowMs) {
          isUnready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          isUnready =
            ready.status === 'False' &&
            start + settings.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** calculatePodRequests: each pod's request of the resource (its containers', or one's), milli. */
export function podRequests(
  pods: readonly PodObject[],
  container: string,
  resource: string,
): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let sum = 0;
    for (const c of containers) {
      if (container === '' || container === c.name) {
        const request = c.resources?.requests?.[resource];
        if (request === undefined) {
          throw new Error(
            `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`,
          );
        }
        sum += Number(saturateInt64(quantityMilliValue(String(request))));
      }
    }
    requests.set(pod.metadata?.name ?? '', sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: usage over requests of the pods with both, against the target. */
export function utilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) {
      continue;
    }
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) {
    throw new Error('no metrics returned matched known pods');
  }
  // int32(...) in Go: an absurd usage wraps as upstream's does instead of leaving int32's range.
  const utilization = Number(
    BigInt.asIntN(32, BigInt(Math.trunc((metricsTotal * 100) / requestsTotal))),
  );
  return {
    ratio: utilization / targetUtilization,
    utilization,
    rawAverage: Math.trunc(metricsTotal / entries),
  };
}

/** GetMetricUsageRatio: the average sample against a per-pod target. */
function usageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) {
    total += m.value;
  }
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

interface Grouped {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
}

/**
 * The shared second half of GetResourceReplicas and calcPlainMetricReplicas: with unready or
 * missing pods, count them at the least helpful value for the proposed direction and recompute;
 * a change within the tolerance, or one that flips direction, keeps the current count.
 */
function replicasFrom(
  current: number,
  grouped: Grouped,
  metrics: PodMetricsInfo,
  ratioOf: (m: PodMetricsInfo) => number,
  fallback: { below: (pod: string) => number },
  tolerance: number,
): number {
  const first = ratioOf(metrics);
  const scaleUpWithUnready = grouped.unready.size > 0 && first > 1.0;
  if (!scaleUpWithUnready && grouped.missing.size === 0) {
    if (Math.abs(1.0 - first) <= tolerance) {
      return current;
    }
    return Math.ceil(first * grouped.readyPodCount);
  }
  const filled: PodMetricsInfo = new Map(metrics);
  const zero = { timestampMs: 0, windowMs: 0, value: 0 };
  for (const pod of grouped.missing) {
    if (first < 1.0) {
      filled.set(pod, { ...zero, value: fallback.below(pod) });
    } else if (first > 1.0) {
      filled.set(pod, zero);
    }
  }
  if (scaleUpWithUnready) {
    for (const pod of grouped.unready) {
      filled.set(pod, zero);
    }
  }
  const next = ratioOf(filled);
  if (
    Math.abs(1.0 - next) <= tolerance ||
    (first < 1.0 && next > 1.0) ||
    (first > 1.0 && next < 1.0)
  ) {
    return current;
  }
  const replicas = Math.ceil(next * filled.size);
  if ((next < 1.0 && replicas > current) || (next > 1.0 && replicas < current)) {
    return current;
  }
  return replicas;
}

/** The pods' samples with ignored and unready ones removed (none left is upstream's error). */
function usableMetrics({ pods, metrics, resource, settings, nowMs }: Samples): {
  grouped: Grouped;
  usable: PodMetricsInfo;
} {
  if (pods.length === 0) {
    throw new Error('no pods returned by selector while calculating replica count');
  }
  const grouped = groupPods(pods, metrics, resource, settings, nowMs);
  const usable: PodMetricsInfo = new Map(
    [...metrics].filter(([pod]) => !grouped.ignored.has(pod) && !grouped.unready.has(pod)),
  );
  if (usable.size === 0) {
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  }
  return { grouped, usable };
}

/** What a replica calculation starts from: the samples of the target's pods, read at `nowMs`. */
export interface Samples {
  current: number;
  resource: string;
  pods: readonly PodObject[];
  metrics: PodMetricsInfo;
  settings: ReplicaCalculatorSettings;
  nowMs: number;
}

/** GetResourceReplicas (after the metrics fetch): a utilization target. */
export function resourceReplicas(
  samples: Samples,
  targetUtilization: number,
  container: string,
): ResourceReplicas {
  const { current, resource, pods, settings } = samples;
  const { grouped, usable } = usableMetrics(samples);
  const requests = podRequests(pods, container, resource);
  const { utilization, rawAverage } = utilizationRatio(usable, requests, targetUtilization);
  const fallbackUtilization = Math.max(100, targetUtilization);
  const replicas = replicasFrom(
    current,
    grouped,
    usable,
    (m) => utilizationRatio(m, requests, targetUtilization).ratio,
    { below: (pod) => Math.trunc(((requests.get(pod) ?? 0) * fallbackUtilization) / 100) },
    settings.tolerance,
  );
  return { replicas, utilization, rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: an average value target (milli). */
export function rawResourceReplicas(samples: Samples, targetAverage: number): ResourceReplicas {
  const { current, settings } = samples;
  const { grouped, usable } = usableMetrics(samples);
  const { usage } = usageRatio(usable, targetAverage);
  const replicas = replicasFrom(
    current,
    grouped,
    usable,
    (m) => usageRatio(m, targetAverage).ratio,
    { below: () => targetAverage },
    settings.tolerance,
  );
  return { replicas, rawAverage: usage };
}

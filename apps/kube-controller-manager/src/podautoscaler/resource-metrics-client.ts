import { parseGoDurationNs } from '@app/common';
import { quantityMilliValue, saturateInt64 } from '@app/csi';
import { apiErrorMessage, isNotFound, type KubeRest } from '@app/kube-client';

/** One pod's sample of a resource, in milli-units (Quantity.MilliValue). */
export interface PodMetric {
  timestampMs: number;
  windowMs: number;
  value: number;
}

/** Samples by pod name (upstream's PodMetricsInfo). */
export type PodMetricsInfo = Map<string, PodMetric>;

/** The resource metrics of the pods a selector picks, and when they were taken. */
export interface ResourceMetricsSource {
  getResourceMetric(
    resource: string,
    namespace: string,
    selector: string,
    container: string,
  ): Promise<{ metrics: PodMetricsInfo; timestampMs: number }>;
}

interface PodMetricsList {
  items?: {
    metadata?: { name?: string; namespace?: string };
    timestamp?: string;
    window?: string;
    containers?: { name: string; usage?: Record<string, string> }[];
  }[];
}

/**
 * upstream pkg/controller/podautoscaler/metrics `resourceMetricsClient`: lists PodMetrics
 * (metrics.k8s.io/v1beta1) by the target's selector and sums each pod's containers — or reads
 * the one container of a ContainerResource metric — with upstream's errors.
 */
export class ResourceMetricsClient implements ResourceMetricsSource {
  constructor(private readonly rest: KubeRest) {}

  async getResourceMetric(
    resource: string,
    namespace: string,
    selector: string,
    container: string,
  ): Promise<{ metrics: PodMetricsInfo; timestampMs: number }> {
    let list: PodMetricsList;
    try {
      list = await this.rest.get<PodMetricsList>(
        `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { labelSelector: selector },
      );
    } catch (error) {
      // A 404 without a Status body is what client-go turns into this text.
      const message = isNotFound(error)
        ? 'the server could not find the requested resource (get pods.metrics.k8s.io)'
        : apiErrorMessage(error);
      throw new Error(`unable to fetch metrics from resource metrics API: ${message}`, {
        cause: error,
      });
    }
    const items = list.items ?? [];
    if (items.length === 0) {
      throw new Error('no metrics returned from resource metrics API');
    }
    const metrics: PodMetricsInfo = new Map();
    for (const item of items) {
      const sample = (value: number) => ({
        timestampMs: Date.parse(item.timestamp ?? ''),
        windowMs: goDurationMs(item.window ?? '0s'),
        value,
      });
      const containers = item.containers ?? [];
      const name = item.metadata?.name ?? '';
      if (container !== '') {
        const found = containers.find((c) => c.name === container);
        if (!found) {
          throw new Error(
            `failed to get container metrics: container ${container} not present in metrics for pod ${item.metadata?.namespace ?? ''}/${name}`,
          );
        }
        const usage = found.usage?.[resource];
        if (usage !== undefined) {
          metrics.set(name, sample(milliOf(usage)));
        }
        continue;
      }
      // A pod missing the resource in any container is left out (getPodMetrics).
      if (containers.length > 0 && containers.every((c) => c.usage?.[resource] !== undefined)) {
        const sum = containers.reduce((total, c) => total + milliOf(c.usage?.[resource] ?? '0'), 0);
        metrics.set(name, sample(sum));
      }
    }
    return { metrics, timestampMs: Date.parse(items[0].timestamp ?? '') };
  }
}

/** A metav1.Duration (`15s`, `1m0s`) in ms; 0 when it does not parse. */
function goDurationMs(text: string): number {
  try {
    return parseGoDurationNs(text) / 1e6;
  } catch {
    return 0;
  }
}

/** Quantity.MilliValue, saturated at int64 as Go's. */
const milliOf = (quantity: string): number => Number(saturateInt64(quantityMilliValue(quantity)));

import type { MetricSpec } from '@app/kube-client';

/**
 * What the HPA controller's metrics clients answer when no metrics API is served — Nimbus serves
 * none, as a cluster without metrics-server, prometheus-adapter or an external-metrics adapter —
 * in upstream's words, wrapped as pkg/controller/podautoscaler wraps them (1.32).
 */
export interface MetricFailure {
  /** The event reason and the ScalingActive condition's reason. */
  reason: string;
  /** The error the event and the condition carry. */
  message: string;
  /** The error computeReplicasForMetric returns (the first one goes into FailedComputeMetricsReplicas). */
  wrapped: string;
}

const RESOURCE_METRICS_API =
  'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';
const CUSTOM_METRICS_API =
  'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';

export function metricFailure(spec: MetricSpec, namespace: string): MetricFailure {
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const name = source?.name ?? '';
      const usage = source?.target?.averageValue !== undefined ? 'usage' : 'utilization';
      const message = `failed to get ${name} ${usage}: unable to get metrics for resource ${name}: ${RESOURCE_METRICS_API}`;
      return spec.type === 'Resource'
        ? {
            reason: 'FailedGetResourceMetric',
            message,
            wrapped: `failed to get ${name} resource metric value: ${message}`,
          }
        : {
            reason: 'FailedGetContainerResourceMetric',
            message,
            wrapped: `failed to get ${spec.containerResource?.container ?? ''} container metric value: ${message}`,
          };
    }
    case 'Pods': {
      const message = `unable to get metric ${spec.pods?.metric?.name ?? ''}: ${CUSTOM_METRICS_API}`;
      return {
        reason: 'FailedGetPodsMetric',
        message,
        wrapped: `failed to get pods metric value: ${message}`,
      };
    }
    case 'Object': {
      const object = spec.object;
      const described = object?.describedObject;
      const message = `unable to get metric ${object?.metric?.name ?? ''}: ${described?.kind ?? ''} on ${namespace} ${described?.name ?? ''}/${CUSTOM_METRICS_API}`;
      return {
        reason: 'FailedGetObjectMetric',
        message,
        wrapped: `failed to get object metric value: ${message}`,
      };
    }
    case 'External': {
      const name = spec.external?.metric?.name ?? '';
      const message = `unable to get external metric ${namespace}/${name}/${goLabelSelector(spec.external?.metric?.selector)}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name}.external.metrics.k8s.io)`;
      return {
        reason: 'FailedGetExternalMetric',
        message,
        wrapped: `failed to get ${name} external metric value: ${message}`,
      };
    }
    default: {
      const message = `unknown metric source type "${spec.type ?? ''}"`;
      return { reason: 'InvalidMetricSourceType', message, wrapped: message };
    }
  }
}

/** A *metav1.LabelSelector as Go's `%+v` prints it (its generated String()). */
function goLabelSelector(
  selector: NonNullable<MetricSpec['external']>['metric']['selector'],
): string {
  if (!selector) {
    return 'nil';
  }
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${v},`)
    .join('');
  const expressions = (selector.matchExpressions ?? [])
    .map(
      (e) =>
        `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`,
    )
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}

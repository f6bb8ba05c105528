import type { MetricSpec } from '@app/kube-client';

/**
 * What the HPA controller's custom and external metrics clients answer when those APIs are not
 * served — Nimbus serves neither, as a cluster without prometheus-adapter or an external-metrics
 * adapter — in upstream's words, wrapped as pkg/controller/podautoscaler wraps them (1.32).
 * Resource metrics come from metrics.k8s.io (compute-replicas.ts).
 */
export interface MetricFailure {
  /** The event reason and the ScalingActive condition's reason. */
  reason: string;
  /** The error the event and the condition carry. */
  message: string;
  /** The error computeReplicasForMetric returns (the first one goes into FailedComputeMetricsReplicas). */
  wrapped: string;
}

const CUSTOM_METRICS_API =
  'unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';

export function metricFailure(spec: MetricSpec, namespace: string): MetricFailure {
  switch (spec.type) {
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
      // computeStatusForObjectMetric adds a layer for AverageValue targets only.
      const inner =
        object?.target?.averageValue !== undefined
          ? `failed to get ${object.metric?.name ?? ''} object metric: ${message}`
          : message;
      return {
        reason: 'FailedGetObjectMetric',
        message,
        wrapped: `failed to get object metric value: ${inner}`,
      };
    }
    case 'External': {
      const name = spec.external?.metric?.name ?? '';
      const message = `unable to get external metric ${namespace}/${name}/${goLabelSelector(spec.external?.metric?.selector)}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name}.external.metrics.k8s.io)`;
      // computeStatusForExternalMetric's own layer differs by target type.
      const inner =
        spec.external?.target?.averageValue !== undefined
          ? `failed to get ${name} external metric: ${message}`
          : `failed to get external metric ${name}: ${message}`;
      return {
        reason: 'FailedGetExternalMetric',
        message,
        wrapped: `failed to get ${name} external metric value: ${inner}`,
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

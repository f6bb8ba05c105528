import { quantityMilliValue, quantityValue } from '@app/csi';
import { isPlainObject, type KubeObject } from '../../object/types';
import { NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { formatCpu, formatMemory } from '../../metrics/simulated-usage';

/** The usage a metrics object reports: a NodeMetrics' own, a PodMetrics' containers' summed. */
function usageOf(o: KubeObject): { cpu: bigint; memory: bigint } {
  const lists = isPlainObject(o.usage)
    ? [o.usage]
    : (Array.isArray(o.containers) ? o.containers : []).map((c) =>
        isPlainObject(c) && isPlainObject(c.usage) ? c.usage : {},
      );
  const sum = { cpu: 0n, memory: 0n };
  for (const usage of lists) {
    sum.cpu += typeof usage.cpu === 'string' ? quantityMilliValue(usage.cpu) * 1_000_000n : 0n;
    sum.memory += typeof usage.memory === 'string' ? quantityValue(usage.memory) : 0n;
  }
  return sum;
}

/** metrics-server's Table: Name, one column per resource (summed over containers), Window. */
const metricsColumns = () => [
  NAME_COLUMN,
  column('cpu', (o: KubeObject) => formatCpu(usageOf(o).cpu), {
    format: 'quantity',
    description: '',
  }),
  column('memory', (o: KubeObject) => formatMemory(usageOf(o).memory), {
    format: 'quantity',
    description: '',
  }),
  column('Window', (o: KubeObject) => (typeof o.window === 'string' ? o.window : ''), {
    format: 'duration',
    description: '',
  }),
];

/**
 * metrics.k8s.io/v1beta1, as metrics-server serves it (get and list, no watch), computed on each
 * GET (metrics/resource-metrics.ts): `kubectl top` and the HPA controller's resource metrics.
 */
export const podMetricsKind = defineKind({
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  resource: 'pods',
  kind: 'PodMetrics',
  scope: 'Namespaced',
  probed: true,
  verbs: ['get', 'list'],
  columns: metricsColumns(),
});

export const nodeMetricsKind = defineKind({
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  resource: 'nodes',
  kind: 'NodeMetrics',
  scope: 'Cluster',
  probed: true,
  verbs: ['get', 'list'],
  columns: metricsColumns(),
});

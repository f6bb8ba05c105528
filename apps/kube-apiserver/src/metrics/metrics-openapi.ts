import { TYPE_META_PROPERTIES } from '../schema/type-meta-schema';

type Json = Record<string, unknown>;

/**
 * The OpenAPI definitions metrics-server publishes for metrics.k8s.io/v1beta1
 * (k8s.io/metrics/pkg/apis/metrics/v1beta1): `kubectl explain podmetrics` and the v3 document.
 */
const PREFIX = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const META = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' };
const gvk = (kind: string) => [{ group: 'metrics.k8s.io', version: 'v1beta1', kind }];
const typeMeta = TYPE_META_PROPERTIES;
const sample = {
  timestamp: {
    description:
      'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].',
    $ref: `${META}.Time`,
  },
  // metav1.Duration: a Go duration string (`15s`).
  window: { type: 'string' },
};
const list = (item: string) => ({
  description: `${item}List is a list of ${item}.`,
  type: 'object',
  required: ['items'],
  properties: {
    ...typeMeta,
    items: {
      description: `List of ${item === 'PodMetrics' ? 'pod' : 'node'} metrics.`,
      type: 'array',
      items: { $ref: `#/components/schemas/${PREFIX}.${item}` },
    },
    metadata: {
      description:
        'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      $ref: `${META}.ListMeta`,
    },
  },
  'x-kubernetes-group-version-kind': gvk(`${item}List`),
});

export const METRICS_DEFINITIONS: Record<string, Json> = {
  [`${PREFIX}.ContainerMetrics`]: {
    description: 'ContainerMetrics sets resource usage metrics of a container.',
    type: 'object',
    required: ['name', 'usage'],
    properties: {
      name: {
        description: 'Container name corresponding to the one from pod.spec.containers.',
        type: 'string',
      },
      usage: {
        description: 'The memory usage is the memory working set.',
        type: 'object',
        additionalProperties: QUANTITY,
      },
    },
  },
  [`${PREFIX}.PodMetrics`]: {
    description: 'PodMetrics sets resource usage metrics of a pod.',
    type: 'object',
    required: ['timestamp', 'window', 'containers'],
    properties: {
      ...typeMeta,
      containers: {
        description: 'Metrics for all containers are collected within the same time window.',
        type: 'array',
        items: { $ref: `#/components/schemas/${PREFIX}.ContainerMetrics` },
        'x-kubernetes-list-type': 'atomic',
      },
      metadata: {
        description:
          "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        $ref: `${META}.ObjectMeta`,
      },
      ...sample,
    },
    'x-kubernetes-group-version-kind': gvk('PodMetrics'),
  },
  [`${PREFIX}.PodMetricsList`]: list('PodMetrics'),
  [`${PREFIX}.NodeMetrics`]: {
    description: 'NodeMetrics sets resource usage metrics of a node.',
    type: 'object',
    required: ['timestamp', 'window', 'usage'],
    properties: {
      ...typeMeta,
      metadata: {
        description:
          "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        $ref: `${META}.ObjectMeta`,
      },
      ...sample,
      usage: {
        description: 'The memory usage is the memory working set.',
        type: 'object',
        additionalProperties: QUANTITY,
      },
    },
    'x-kubernetes-group-version-kind': gvk('NodeMetrics'),
  },
  [`${PREFIX}.NodeMetricsList`]: list('NodeMetrics'),
};

import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { getPath, objectItems, text } from '../object-path';
import { specOf } from '../workload-rules';
import { hpaFromV1, hpaToV1, withoutRoundTrip } from './hpa-v1-conversion';
import { validateHorizontalPodAutoscaler } from './hpa-validation';

/** autoscaling.DefaultCPUUtilization: the target of an HPA that names no metric. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** The upstream scale-up and scale-down rules a `behavior` is completed with (v2 defaults.go). */
const defaultScaleUp = () => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
// No stabilizationWindowSeconds: the controller's --horizontal-pod-autoscaler-downscale-stabilization.
const defaultScaleDown = () => ({
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
});

/** copyHPAScalingRules: the set fields of `rules` over the defaults. */
function completeRules(rules: unknown, defaults: JsonObject): JsonObject {
  if (!isPlainObject(rules)) {
    return defaults;
  }
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) {
    if (rules[key] !== undefined && rules[key] !== null) {
      defaults[key] = rules[key];
    }
  }
  return defaults;
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2, 1.32). */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  // v2 round-trips without the v1 annotations: upstream drops them in both conversions.
  const annotations = withoutRoundTrip(obj.metadata.annotations);
  if (annotations) {
    obj.metadata.annotations = annotations;
  } else if (obj.metadata.annotations) {
    delete obj.metadata.annotations;
  }
  const spec = specOf(obj);
  if (spec.minReplicas === undefined || spec.minReplicas === null) {
    spec.minReplicas = 1;
  }
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  }
  if (isPlainObject(spec.behavior)) {
    spec.behavior.scaleUp = completeRules(spec.behavior.scaleUp, defaultScaleUp());
    spec.behavior.scaleDown = completeRules(spec.behavior.scaleDown, defaultScaleDown());
  }
  if (!isPlainObject(obj.status)) {
    obj.status = {};
  }
  const status = obj.status as JsonObject;
  status.currentReplicas ??= 0;
  status.desiredReplicas ??= 0;
}

/** One metric of the TARGETS column: `<current>/<target>` (printers.go formatHPAMetrics, 1.32). */
function formatMetric(spec: JsonObject, status: JsonObject | undefined): string {
  const source = (key: string) => (isPlainObject(spec[key]) ? spec[key] : {});
  const current = (key: string) => (isPlainObject(status?.[key]) ? status[key] : undefined);
  const target = (key: string) => {
    const t = source(key).target;
    return isPlainObject(t) ? t : {};
  };
  const currentValue = (key: string, field: string) => {
    const value = getPath(current(key), `current.${field}`);
    return value === undefined || value === null ? '<unknown>' : text(value);
  };
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const t = target(key);
      if (t.averageValue !== undefined && t.averageValue !== null) {
        return `${currentValue(key, 'averageValue')}/${text(t.averageValue)} (avg)`;
      }
      return `${current(key) ? text(getPath(current(key), 'current.value') ?? '0') : '<unknown>'}/${text(t.value ?? '0')}`;
    }
    case 'Pods':
      return `${current('pods') ? text(getPath(current('pods'), 'current.averageValue') ?? '0') : '<unknown>'}/${text(target('pods').averageValue ?? '0')}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const name = text(source(key).name);
      const t = target(key);
      if (t.averageValue !== undefined && t.averageValue !== null) {
        const now = current(key)
          ? text(getPath(current(key), 'current.averageValue') ?? '0')
          : '<unknown>';
        return `${name}: ${now}/${text(t.averageValue)}`;
      }
      const utilization = getPath(current(key), 'current.averageUtilization');
      const now = typeof utilization === 'number' ? `${utilization}%` : '<unknown>';
      const goal = typeof t.averageUtilization === 'number' ? `${t.averageUtilization}%` : '<auto>';
      return `${name}: ${now}/${goal}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: the first two metrics, then `+ N more...`. */
export function formatHpaMetrics(obj: KubeObject): string {
  const specs = objectItems(getPath(obj, 'spec.metrics'));
  if (specs.length === 0) {
    return '<none>';
  }
  const statuses = objectItems(getPath(obj, 'status.currentMetrics'));
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  const shown = list.slice(0, 2).join(', ');
  return list.length > 2 ? `${shown} + ${list.length - 2} more...` : shown;
}

/** autoscaling/v2 HorizontalPodAutoscaler: the storage version (autoscaling/v1 is a view of it). */
export const horizontalPodAutoscalerKind = defineKind({
  group: 'autoscaling',
  version: 'v2',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  scope: 'Namespaced',
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  listStrategies: { 'status.conditions': { key: 'type' } },
  columns: hpaColumns(),
  defaultOnWrite: defaultHorizontalPodAutoscaler,
  validate: validateHorizontalPodAutoscaler,
});

/** printHorizontalPodAutoscaler's columns. */
export function hpaColumns() {
  return [
    NAME_COLUMN,
    column(
      'Reference',
      (o: KubeObject) =>
        `${text(getPath(o, 'spec.scaleTargetRef.kind'))}/${text(getPath(o, 'spec.scaleTargetRef.name'))}`,
      {
        description:
          'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.',
      },
    ),
    column('Targets', formatHpaMetrics, {
      description:
        'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).',
    }),
    column(
      'MinPods',
      (o: KubeObject) => {
        const min = getPath(o, 'spec.minReplicas');
        return typeof min === 'number' ? String(min) : '<unset>';
      },
      {
        description:
          'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
      },
    ),
    column('MaxPods', (o: KubeObject) => Number(getPath(o, 'spec.maxReplicas') ?? 0), {
      description:
        'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
    }),
    column('Replicas', (o: KubeObject) => Number(getPath(o, 'status.currentReplicas') ?? 0), {
      description:
        'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.',
    }),
    AGE_COLUMN,
  ];
}

/**
 * autoscaling/v1 HorizontalPodAutoscaler: a view of the v2 storage, as upstream (one storage,
 * two shapes). Validation and the Table work on the v2 form, as upstream's on the internal type.
 */
export const horizontalPodAutoscalerV1Kind = defineKind({
  group: 'autoscaling',
  version: 'v1',
  resource: 'horizontalpodautoscalers',
  kind: 'HorizontalPodAutoscaler',
  scope: 'Namespaced',
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  view: {
    storage: horizontalPodAutoscalerKind,
    toStorage: (obj) => {
      const v2 = hpaFromV1(obj);
      defaultHorizontalPodAutoscaler(v2);
      return v2;
    },
    fromStorage: hpaToV1,
  },
  columns: hpaColumns().map((c) => ({ ...c, cell: (o, now) => c.cell(hpaFromV1(o), now) })),
  // SetDefaults_HorizontalPodAutoscaler (v1): only minReplicas; the CPU target comes with conversion.
  defaultOnWrite(obj) {
    const spec = specOf(obj);
    spec.minReplicas ??= 1;
    const status = isPlainObject(obj.status) ? obj.status : (obj.status = {});
    status.currentReplicas ??= 0;
    status.desiredReplicas ??= 0;
  },
  validate: (obj, old) =>
    validateHorizontalPodAutoscaler(hpaFromV1(obj), old === undefined ? undefined : hpaFromV1(old)),
});

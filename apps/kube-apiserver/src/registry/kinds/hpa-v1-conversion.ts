import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { getPath, objectItems } from '../object-path';

/**
 * autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers (pkg/apis/autoscaling/v1
 * conversion.go). v1 holds one CPU utilization target; what it cannot hold travels in the
 * round-trip annotations, in upstream's shapes: the other metrics and the current metrics as v1's
 * (v2beta1-like) MetricSpec / MetricStatus, the conditions, and the behavior as the internal Go
 * type marshalled without JSON tags (capitalised field names, as upstream's TODO admits).
 */
const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR];

type Json = JsonObject;
const asObject = (v: unknown): Json => (isPlainObject(v) ? v : {});
const set = (v: unknown) => v !== undefined && v !== null;

/** The object without its undefined keys (Go's omitempty pointers). */
function defined(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export function withoutRoundTrip(annotations: unknown): Record<string, string> | undefined {
  if (!isPlainObject(annotations)) {
    return undefined;
  }
  const kept = Object.fromEntries(
    Object.entries(annotations).filter(([k]) => !ROUND_TRIP.includes(k)),
  ) as Record<string, string>;
  return Object.keys(kept).length ? kept : undefined;
}

function parse(annotations: Record<string, unknown> | undefined, key: string): unknown {
  const value = annotations?.[key];
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch {
    return undefined; // upstream ignores an annotation it cannot decode
  }
}

const isCpuUtilization = (m: Json) =>
  m.type === 'Resource' &&
  asObject(m.resource).name === 'cpu' &&
  set(asObject(asObject(m.resource).target).averageUtilization);

// --- metric specs and statuses -----------------------------------------------------------------

/** One field of a v1 (v2beta1-like) metric source: its v1 key, its v2 path, and its Go zero value. */
type Field = [v1: string, v2: string, zero?: string];

/**
 * How a metric type's source maps between v1 and v2 (upstream's Convert_*_MetricSpec and
 * Convert_*_MetricStatus functions). A v1 non-pointer Quantity is written as `"0"` when unset;
 * `targetType` derives the v2 target's type from the v1 fields.
 */
interface Shape {
  key: string;
  fields: Field[];
  targetType?: (v1: Json) => string;
}

const metricName: Field = ['metricName', 'metric.name', ''];
const selector: Field = ['selector', 'metric.selector'];

const SPEC_SHAPES: Record<string, Shape> = {
  Object: {
    key: 'object',
    fields: [
      ['target', 'describedObject'],
      metricName,
      ['targetValue', 'target.value', '0'],
      selector,
      ['averageValue', 'target.averageValue'],
    ],
    targetType: (s) => (set(s.averageValue) ? 'AverageValue' : 'Value'),
  },
  Pods: {
    key: 'pods',
    fields: [metricName, ['targetAverageValue', 'target.averageValue', '0'], selector],
    targetType: () => 'AverageValue',
  },
  External: {
    key: 'external',
    fields: [
      metricName,
      ['metricSelector', 'metric.selector'],
      ['targetValue', 'target.value'],
      ['targetAverageValue', 'target.averageValue'],
    ],
    targetType: (s) => (set(s.targetValue) ? 'Value' : 'AverageValue'),
  },
  Resource: {
    key: 'resource',
    fields: [
      ['name', 'name', ''],
      ['targetAverageUtilization', 'target.averageUtilization'],
      ['targetAverageValue', 'target.averageValue'],
    ],
    targetType: (s) => (set(s.targetAverageUtilization) ? 'Utilization' : 'AverageValue'),
  },
};
SPEC_SHAPES.ContainerResource = {
  ...SPEC_SHAPES.Resource,
  key: 'containerResource',
  fields: [...SPEC_SHAPES.Resource.fields, ['container', 'container', '']],
};

const STATUS_SHAPES: Record<string, Shape> = {
  Object: {
    key: 'object',
    fields: [
      ['target', 'describedObject'],
      metricName,
      ['currentValue', 'current.value', '0'],
      selector,
      ['averageValue', 'current.averageValue'],
    ],
  },
  Pods: {
    key: 'pods',
    fields: [metricName, ['currentAverageValue', 'current.averageValue', '0'], selector],
  },
  External: {
    key: 'external',
    fields: [
      metricName,
      ['metricSelector', 'metric.selector'],
      ['currentValue', 'current.value', '0'],
      ['currentAverageValue', 'current.averageValue'],
    ],
  },
  Resource: {
    key: 'resource',
    fields: [
      ['name', 'name', ''],
      ['currentAverageUtilization', 'current.averageUtilization'],
      ['currentAverageValue', 'current.averageValue', '0'],
    ],
  },
};
STATUS_SHAPES.ContainerResource = {
  ...STATUS_SHAPES.Resource,
  key: 'containerResource',
  fields: [...STATUS_SHAPES.Resource.fields, ['container', 'container', '']],
};

/** A v2 metric (spec or status) as v1 writes it in the round-trip annotations. */
function metricToV1(m: Json, shapes: Record<string, Shape>): Json {
  const shape = shapes[String(m.type)];
  if (!shape) {
    return { type: m.type ?? '' };
  }
  const source = asObject(m[shape.key]);
  const out: Json = {};
  for (const [v1, v2, zero] of shape.fields) {
    const value = getPath(source, v2) ?? zero;
    if (set(value)) {
      out[v1] = value;
    }
  }
  return { type: m.type, [shape.key]: out };
}

/** A v1 metric from the annotations back in its v2 form. */
function metricFromV1(m: Json, shapes: Record<string, Shape>): Json {
  const shape = shapes[String(m.type)];
  if (!shape) {
    return { type: m.type ?? '' };
  }
  const source = asObject(m[shape.key]);
  const out: Json = {};
  if (shape.targetType) {
    out.target = { type: shape.targetType(source) };
  }
  for (const [v1, v2] of shape.fields) {
    if (set(source[v1])) {
      setPath(out, v2, source[v1]);
    }
  }
  return { type: m.type, [shape.key]: out };
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    at = isPlainObject(at[part]) ? at[part] : (at[part] = {});
  }
  at[parts[parts.length - 1]] = value;
}

// --- behavior as the internal Go type ---------------------------------------------------------

const GO_RULES = ['StabilizationWindowSeconds', 'SelectPolicy', 'Policies'];

function rulesToGo(rules: unknown): Json | null {
  if (!isPlainObject(rules)) {
    return null;
  }
  return {
    StabilizationWindowSeconds: rules.stabilizationWindowSeconds ?? null,
    SelectPolicy: rules.selectPolicy ?? null,
    Policies: Array.isArray(rules.policies)
      ? objectItems(rules.policies).map((p) => ({
          Type: p.type ?? '',
          Value: p.value ?? 0,
          PeriodSeconds: p.periodSeconds ?? 0,
        }))
      : null,
  };
}

function rulesFromGo(rules: unknown): Json | undefined {
  if (!isPlainObject(rules) || GO_RULES.every((k) => !set(rules[k]))) {
    return isPlainObject(rules) ? {} : undefined;
  }
  return defined({
    stabilizationWindowSeconds: rules.StabilizationWindowSeconds ?? undefined,
    selectPolicy: rules.SelectPolicy ?? undefined,
    policies: Array.isArray(rules.Policies)
      ? objectItems(rules.Policies).map((p) => ({
          type: p.Type,
          value: p.Value,
          periodSeconds: p.PeriodSeconds,
        }))
      : undefined,
  });
}

// --- whole objects ----------------------------------------------------------------------------

/** Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler. */
export function hpaToV1(obj: KubeObject): KubeObject {
  const spec = asObject(obj.spec);
  const status = asObject(obj.status);
  const metrics = objectItems(spec.metrics);
  // The first CPU utilization target becomes v1's one field (every other metric an annotation).
  const cpu = metrics.find(isCpuUtilization);
  const annotations: Record<string, string> = { ...withoutRoundTrip(obj.metadata.annotations) };
  const others = metrics.filter((m) => !isCpuUtilization(m)).map((m) => metricToV1(m, SPEC_SHAPES));
  if (others.length) {
    annotations[METRICS] = JSON.stringify(others);
  }
  const currentMetrics = objectItems(status.currentMetrics);
  if (currentMetrics.length) {
    annotations[CURRENT_METRICS] = JSON.stringify(
      currentMetrics.map((m) => metricToV1(m, STATUS_SHAPES)),
    );
  }
  if (isPlainObject(spec.behavior)) {
    annotations[BEHAVIOR] = JSON.stringify({
      ScaleUp: rulesToGo(spec.behavior.scaleUp),
      ScaleDown: rulesToGo(spec.behavior.scaleDown),
    });
  }
  const conditions = objectItems(status.conditions);
  if (conditions.length) {
    annotations[CONDITIONS] = JSON.stringify(conditions);
  }
  // The last CPU status with a utilization, as upstream's loop leaves it.
  const cpuStatus = currentMetrics
    .filter(
      (m) =>
        m.type === 'Resource' &&
        asObject(m.resource).name === 'cpu' &&
        set(asObject(asObject(m.resource).current).averageUtilization),
    )
    .at(-1);
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) {
    metadata.annotations = annotations;
  } else {
    delete metadata.annotations;
  }
  return {
    ...obj,
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage:
        asObject(asObject(cpu?.resource).target).averageUtilization ?? undefined,
    }),
    status: defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage:
        asObject(asObject(cpuStatus?.resource).current).averageUtilization ?? undefined,
    }),
  };
}

/** Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler. */
export function hpaFromV1(obj: KubeObject): KubeObject {
  const spec = asObject(obj.spec);
  const status = asObject(obj.status);
  const annotations = isPlainObject(obj.metadata.annotations)
    ? (obj.metadata.annotations as Record<string, unknown>)
    : undefined;
  let metrics: Json[] = set(spec.targetCPUUtilizationPercentage)
    ? [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: {
              type: 'Utilization',
              averageUtilization: spec.targetCPUUtilizationPercentage,
            },
          },
        },
      ]
    : [];
  const others = parse(annotations, METRICS);
  if (Array.isArray(others)) {
    metrics = [...objectItems(others).map((m) => metricFromV1(m, SPEC_SHAPES)), ...metrics];
  }
  const behavior = asObject(parse(annotations, BEHAVIOR));
  const scaleUp = rulesFromGo(behavior.ScaleUp);
  const scaleDown = rulesFromGo(behavior.ScaleDown);
  let currentMetrics: Json[] | undefined = set(status.currentCPUUtilizationPercentage)
    ? [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: status.currentCPUUtilizationPercentage },
          },
        },
      ]
    : undefined;
  const current = parse(annotations, CURRENT_METRICS);
  if (Array.isArray(current)) {
    currentMetrics = objectItems(current).map((m) => metricFromV1(m, STATUS_SHAPES));
  }
  const conditions = parse(annotations, CONDITIONS);
  const metadata = { ...obj.metadata };
  const kept = withoutRoundTrip(annotations);
  if (kept) {
    metadata.annotations = kept;
  } else {
    delete metadata.annotations;
  }
  return {
    ...obj,
    apiVersion: 'autoscaling/v2',
    metadata,
    spec: defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      // An HPA without metrics gets the CPU default here, where the annotation's are known.
      metrics: metrics.length
        ? metrics
        : [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
            },
          ],
      behavior: scaleUp || scaleDown ? defined({ scaleUp, scaleDown }) : undefined,
    }),
    status: defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    }),
  };
}

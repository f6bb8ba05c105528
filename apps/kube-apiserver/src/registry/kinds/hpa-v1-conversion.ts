import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { objectItems } from '../object-path';

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

// --- metric specs -----------------------------------------------------------------------------

function metricSpecToV1(m: Json): Json {
  const source = (key: string) => asObject(m[key]);
  const target = (key: string) => asObject(source(key).target);
  const metric = (key: string) => asObject(source(key).metric);
  switch (m.type) {
    case 'Object':
      return defined({
        type: m.type,
        object: defined({
          target: source('object').describedObject,
          metricName: metric('object').name ?? '',
          targetValue: target('object').value ?? '0',
          selector: metric('object').selector ?? undefined,
          averageValue: target('object').averageValue ?? undefined,
        }),
      });
    case 'Pods':
      return {
        type: m.type,
        pods: defined({
          metricName: metric('pods').name ?? '',
          targetAverageValue: target('pods').averageValue ?? '0',
          selector: metric('pods').selector ?? undefined,
        }),
      };
    case 'External':
      return {
        type: m.type,
        external: defined({
          metricName: metric('external').name ?? '',
          metricSelector: metric('external').selector ?? undefined,
          targetValue: target('external').value ?? undefined,
          targetAverageValue: target('external').averageValue ?? undefined,
        }),
      };
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      return {
        type: m.type,
        [key]: defined({
          name: source(key).name ?? '',
          targetAverageUtilization: target(key).averageUtilization ?? undefined,
          targetAverageValue: target(key).averageValue ?? undefined,
          container: key === 'containerResource' ? (source(key).container ?? '') : undefined,
        }),
      };
    }
    default:
      return { type: m.type ?? '' };
  }
}

function metricSpecFromV1(m: Json): Json {
  const source = (key: string) => asObject(m[key]);
  const identifier = (name: unknown, selector: unknown) => defined({ name, selector });
  switch (m.type) {
    case 'Object': {
      const s = source('object');
      return {
        type: m.type,
        object: {
          describedObject: s.target,
          metric: identifier(s.metricName, s.selector),
          target: defined({
            type: set(s.averageValue) ? 'AverageValue' : 'Value',
            value: s.targetValue,
            averageValue: s.averageValue,
          }),
        },
      };
    }
    case 'Pods': {
      const s = source('pods');
      return {
        type: m.type,
        pods: {
          metric: identifier(s.metricName, s.selector),
          target: defined({ type: 'AverageValue', averageValue: s.targetAverageValue }),
        },
      };
    }
    case 'External': {
      const s = source('external');
      return {
        type: m.type,
        external: {
          metric: identifier(s.metricName, s.metricSelector),
          target: defined({
            type: set(s.targetValue) ? 'Value' : 'AverageValue',
            value: s.targetValue,
            averageValue: s.targetAverageValue,
          }),
        },
      };
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const s = source(key);
      return {
        type: m.type,
        [key]: defined({
          name: s.name,
          container: s.container,
          target: defined({
            type: set(s.targetAverageUtilization) ? 'Utilization' : 'AverageValue',
            averageUtilization: s.targetAverageUtilization,
            averageValue: s.targetAverageValue,
          }),
        }),
      };
    }
    default:
      return { type: m.type ?? '' };
  }
}

// --- metric statuses --------------------------------------------------------------------------

function metricStatusToV1(m: Json): Json {
  const source = (key: string) => asObject(m[key]);
  const current = (key: string) => asObject(source(key).current);
  const metric = (key: string) => asObject(source(key).metric);
  switch (m.type) {
    case 'Object':
      return {
        type: m.type,
        object: defined({
          target: source('object').describedObject,
          metricName: metric('object').name ?? '',
          currentValue: current('object').value ?? '0',
          selector: metric('object').selector ?? undefined,
          averageValue: current('object').averageValue ?? undefined,
        }),
      };
    case 'Pods':
      return {
        type: m.type,
        pods: defined({
          metricName: metric('pods').name ?? '',
          currentAverageValue: current('pods').averageValue ?? '0',
          selector: metric('pods').selector ?? undefined,
        }),
      };
    case 'External':
      return {
        type: m.type,
        external: defined({
          metricName: metric('external').name ?? '',
          metricSelector: metric('external').selector ?? undefined,
          currentValue: current('external').value ?? '0',
          currentAverageValue: current('external').averageValue ?? undefined,
        }),
      };
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      return {
        type: m.type,
        [key]: defined({
          name: source(key).name ?? '',
          currentAverageUtilization: current(key).averageUtilization ?? undefined,
          currentAverageValue: current(key).averageValue ?? '0',
          container: key === 'containerResource' ? (source(key).container ?? '') : undefined,
        }),
      };
    }
    default:
      return { type: m.type ?? '' };
  }
}

function metricStatusFromV1(m: Json): Json {
  const source = (key: string) => asObject(m[key]);
  const identifier = (name: unknown, selector: unknown) => defined({ name, selector });
  switch (m.type) {
    case 'Object': {
      const s = source('object');
      return {
        type: m.type,
        object: {
          describedObject: s.target,
          metric: identifier(s.metricName, s.selector),
          current: defined({ value: s.currentValue, averageValue: s.averageValue }),
        },
      };
    }
    case 'Pods': {
      const s = source('pods');
      return {
        type: m.type,
        pods: {
          metric: identifier(s.metricName, s.selector),
          current: defined({ averageValue: s.currentAverageValue }),
        },
      };
    }
    case 'External': {
      const s = source('external');
      return {
        type: m.type,
        external: {
          metric: identifier(s.metricName, s.metricSelector),
          current: defined({ value: s.currentValue, averageValue: s.currentAverageValue }),
        },
      };
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const s = source(key);
      return {
        type: m.type,
        [key]: defined({
          name: s.name,
          container: s.container,
          current: defined({
            averageUtilization: s.currentAverageUtilization,
            averageValue: s.currentAverageValue,
          }),
        }),
      };
    }
    default:
      return { type: m.type ?? '' };
  }
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
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  if (others.length) {
    annotations[METRICS] = JSON.stringify(others);
  }
  const currentMetrics = objectItems(status.currentMetrics);
  if (currentMetrics.length) {
    annotations[CURRENT_METRICS] = JSON.stringify(currentMetrics.map(metricStatusToV1));
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
    metrics = [...objectItems(others).map(metricSpecFromV1), ...metrics];
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
    currentMetrics = objectItems(current).map(metricStatusFromV1);
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

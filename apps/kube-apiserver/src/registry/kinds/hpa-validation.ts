import { InvalidQuantityError, quantityMilliValue } from '@app/csi';
import type { FieldError } from '../../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { dns1123LabelErrors, pathSegmentMessages } from '../dns-names';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  nonNegative,
} from '../field-errors';
import { goInt, goString } from '../go-format';
import { objectItems } from '../object-path';
import { validateName } from '../validation';

/**
 * ValidateHorizontalPodAutoscaler(Update) and the status checks (pkg/apis/autoscaling/validation,
 * 1.32), on the autoscaling/v2 shape — autoscaling/v1 objects are converted first, so their errors
 * name v2 paths, as upstream's (which validates the internal, v2-like type).
 */
export function validateHorizontalPodAutoscaler(
  obj: KubeObject,
  old: KubeObject | undefined,
): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...specErrors(spec));
  const status = isPlainObject(obj.status) ? obj.status : {};
  errors.push(...nonNegative(status.currentReplicas, 'status.currentReplicas'));
  errors.push(...nonNegative(status.desiredReplicas, 'status.desiredReplicas'));
  return errors;
}

/** MaxPeriodSeconds and MaxStabilizationWindowSeconds. */
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
/** Each metric source type's field, in the order upstream looks for them. */
const SOURCE_FIELDS: Record<string, string> = {
  Object: 'object',
  External: 'external',
  Pods: 'pods',
  Resource: 'resource',
  ContainerResource: 'containerResource',
};

const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): JsonObject | undefined => (isPlainObject(v) ? v : undefined);

function specErrors(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  // The HPAScaleToZero gate is off in 1.32: minReplicas must be at least 1.
  const min = int(spec.minReplicas);
  const max = int(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < 1) {
    errors.push(fieldInvalid('spec.minReplicas', goInt(min), 'must be greater than or equal to 1'));
  }
  if (max < 1) {
    errors.push(fieldInvalid('spec.maxReplicas', goInt(max), 'must be greater than 0'));
  }
  if (min !== undefined && max < min) {
    errors.push(
      fieldInvalid(
        'spec.maxReplicas',
        goInt(max),
        'must be greater than or equal to `minReplicas`',
      ),
    );
  }
  errors.push(
    ...crossVersionReferenceErrors(obj(spec.scaleTargetRef) ?? {}, 'spec.scaleTargetRef'),
  );
  objectItems(spec.metrics).forEach((metric, i) =>
    errors.push(...metricSpecErrors(metric, `spec.metrics[${i}]`)),
  );
  const behavior = obj(spec.behavior);
  if (behavior) {
    for (const direction of ['scaleUp', 'scaleDown']) {
      const rules = obj(behavior[direction]);
      if (rules) {
        errors.push(...scalingRulesErrors(rules, `spec.behavior.${direction}`));
      }
    }
  }
  return errors;
}

/** ValidateCrossVersionObjectReference. */
function crossVersionReferenceErrors(ref: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['kind', 'name']) {
    const value = str(ref[key]);
    if (value === '') {
      errors.push(fieldRequired(`${field}.${key}`));
    } else {
      for (const m of pathSegmentMessages(value)) {
        errors.push(fieldInvalid(`${field}.${key}`, goString(value), m));
      }
    }
  }
  return errors;
}

function scalingRulesErrors(rules: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const window = int(rules.stabilizationWindowSeconds);
  if (window !== undefined && window < 0) {
    errors.push(
      fieldInvalid(
        `${field}.stabilizationWindowSeconds`,
        goInt(window),
        'must be greater than or equal to zero',
      ),
    );
  }
  if (window !== undefined && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    errors.push(
      fieldInvalid(
        `${field}.stabilizationWindowSeconds`,
        goInt(window),
        `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`,
      ),
    );
  }
  if (typeof rules.selectPolicy === 'string' && !SELECT_POLICIES.includes(rules.selectPolicy)) {
    errors.push(
      fieldNotSupported(`${field}.selectPolicy`, goString(rules.selectPolicy), SELECT_POLICIES),
    );
  }
  const policies = objectItems(rules.policies);
  if (policies.length === 0) {
    errors.push(fieldRequired(`${field}.policies`, 'must specify at least one Policy'));
  }
  policies.forEach((policy, i) => {
    const at = `${field}.policies[${i}]`;
    if (!POLICY_TYPES.includes(str(policy.type))) {
      errors.push(fieldNotSupported(`${at}.type`, goString(policy.type), POLICY_TYPES));
    }
    const value = int(policy.value) ?? 0;
    if (value <= 0) {
      errors.push(fieldInvalid(`${at}.value`, goInt(value), 'must be greater than zero'));
    }
    const period = int(policy.periodSeconds) ?? 0;
    if (period <= 0) {
      errors.push(fieldInvalid(`${at}.periodSeconds`, goInt(period), 'must be greater than zero'));
    }
    if (period > MAX_PERIOD_SECONDS) {
      errors.push(
        fieldInvalid(
          `${at}.periodSeconds`,
          goInt(period),
          `must be less than or equal to ${MAX_PERIOD_SECONDS}`,
        ),
      );
    }
  });
  return errors;
}

/** validateMetricSpec: the type names exactly one source, which is validated. */
function metricSpecErrors(spec: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const type = str(spec.type);
  if (type === '') {
    errors.push(fieldRequired(`${field}.type`, 'must specify a metric source type'));
  }
  if (!METRIC_SOURCE_TYPES.includes(type)) {
    errors.push(fieldNotSupported(`${field}.type`, goString(type), METRIC_SOURCE_TYPES));
  }
  const present = Object.values(SOURCE_FIELDS).filter((key) => obj(spec[key]));
  const first = present[0];
  if (first) {
    const source = obj(spec[first]) ?? {};
    errors.push(...SOURCE_VALIDATORS[first](source, `${field}.${first}`));
  }
  // An unknown type was reported above (upstream reports it twice; the message dedups).
  const expected = SOURCE_FIELDS[type];
  if (expected !== undefined && !obj(spec[expected])) {
    errors.push(
      fieldRequired(
        `${field}.${expected}`,
        'must populate information for the given metric source',
      ),
    );
  }
  if (present.length > 1) {
    for (const key of present.filter((k) => k !== expected).sort()) {
      errors.push(fieldForbidden(`${field}.${key}`, 'must populate the given metric source only'));
    }
  }
  return errors;
}

const SOURCE_VALIDATORS: Record<string, (source: JsonObject, field: string) => FieldError[]> = {
  object: (src, field) => [
    ...crossVersionReferenceErrors(obj(src.describedObject) ?? {}, `${field}.describedObject`),
    ...metricIdentifierErrors(obj(src.metric) ?? {}, `${field}.metric`),
    ...targetErrors(obj(src.target) ?? {}, `${field}.target`),
    ...(has(src, 'value') || has(src, 'averageValue')
      ? []
      : [
          fieldRequired(
            `${field}.target.averageValue`,
            'must set either a target value or averageValue',
          ),
        ]),
  ],
  external: (src, field) => {
    const errors = [
      ...metricIdentifierErrors(obj(src.metric) ?? {}, `${field}.metric`),
      ...targetErrors(obj(src.target) ?? {}, `${field}.target`),
    ];
    if (!has(src, 'value') && !has(src, 'averageValue')) {
      errors.push(
        fieldRequired(
          `${field}.target.averageValue`,
          'must set either a target value for metric or a per-pod target',
        ),
      );
    }
    if (has(src, 'value') && has(src, 'averageValue')) {
      errors.push(
        fieldForbidden(
          `${field}.target.value`,
          'may not set both a target value for metric and a per-pod target',
        ),
      );
    }
    return errors;
  },
  pods: (src, field) => [
    ...metricIdentifierErrors(obj(src.metric) ?? {}, `${field}.metric`),
    ...targetErrors(obj(src.target) ?? {}, `${field}.target`),
    ...(has(src, 'averageValue')
      ? []
      : [
          fieldRequired(
            `${field}.target.averageValue`,
            'must specify a positive target averageValue',
          ),
        ]),
  ],
  resource: (src, field) => resourceSourceErrors(src, field, false),
  containerResource: (src, field) => resourceSourceErrors(src, field, true),
};

/** Whether the source's target sets `key`. */
const has = (src: JsonObject, key: string): boolean => {
  const value = obj(src.target)?.[key];
  return value !== undefined && value !== null;
};

/** validateResourceSource / validateContainerResourceSource. */
function resourceSourceErrors(src: JsonObject, field: string, container: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const name = str(src.name);
  if (name === '') {
    errors.push(fieldRequired(`${field}.name`, 'must specify a resource name'));
  } else if (container && !name.includes('/') && !isStandardContainerResource(name)) {
    errors.push(
      fieldInvalid(`${field}.name`, goString(name), 'must be a standard resource for containers'),
    );
  }
  if (container) {
    const containerName = str(src.container);
    if (containerName === '') {
      errors.push(fieldRequired(`${field}.container`, 'must specify a container'));
    } else {
      errors.push(...dns1123LabelErrors(containerName, `${field}.container`));
    }
  }
  errors.push(...targetErrors(obj(src.target) ?? {}, `${field}.target`));
  if (!has(src, 'averageUtilization') && !has(src, 'averageValue')) {
    errors.push(
      fieldRequired(
        `${field}.target.averageUtilization`,
        'must set either a target raw value or a target utilization',
      ),
    );
  }
  if (has(src, 'averageUtilization') && has(src, 'averageValue')) {
    errors.push(
      fieldForbidden(
        `${field}.target.averageValue`,
        'may not set both a target raw value and a target utilization',
      ),
    );
  }
  return errors;
}

/** helper.IsStandardContainerResourceName. */
function isStandardContainerResource(name: string): boolean {
  return ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-');
}

/** validateMetricTarget. */
function targetErrors(target: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const type = str(target.type);
  if (type === '') {
    errors.push(fieldRequired(`${field}.type`, 'must specify a metric target type'));
  }
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) {
    errors.push(
      fieldInvalid(
        `${field}.type`,
        goString(type),
        'must be either Utilization, Value, or AverageValue',
      ),
    );
  }
  for (const key of ['value', 'averageValue']) {
    const quantity = target[key];
    if (quantity !== undefined && quantity !== null && !isPositiveQuantity(quantity)) {
      errors.push(
        fieldInvalid(
          `${field}.${key}`,
          goString(typeof quantity === 'string' ? quantity : JSON.stringify(quantity)),
          'must be positive',
        ),
      );
    }
  }
  const utilization = int(target.averageUtilization);
  if (utilization !== undefined && utilization < 1) {
    errors.push(
      fieldInvalid(`${field}.averageUtilization`, goInt(utilization), 'must be greater than 0'),
    );
  }
  return errors;
}

function isPositiveQuantity(value: unknown): boolean {
  try {
    return quantityMilliValue(String(value)) > 0n;
  } catch (error) {
    if (error instanceof InvalidQuantityError) {
      return false;
    }
    throw error;
  }
}

/** validateMetricIdentifier. */
function metricIdentifierErrors(id: JsonObject, field: string): FieldError[] {
  const name = str(id.name);
  if (name === '') {
    return [fieldRequired(`${field}.name`, 'must specify a metric name')];
  }
  return pathSegmentMessages(name).map((m) => fieldInvalid(`${field}.name`, goString(name), m));
}

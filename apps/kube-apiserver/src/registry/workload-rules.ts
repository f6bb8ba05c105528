import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import { deepEqual } from '../object/deep-equal';
import type { FieldError } from '../errors/kube-error';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  immutableField,
  nonNegative,
} from './field-errors';
import { goInt, goIntOrString, goLabelSelector, goString, goStringMap } from './go-format';
import { compileSelector, validateLabelSelector } from './label-selector-rules';
import { getArray, getPath } from './object-path';
import { validatePodTemplate } from './pod-spec-validation';

/** Pieces the apps/v1, core/v1 and batch/v1 workload kinds share (`pkg/apis/apps/validation`). */

export const specOf = (obj: KubeObject): JsonObject =>
  isPlainObject(obj.spec) ? obj.spec : (obj.spec = {});

export const statusOf = (obj: KubeObject): JsonObject =>
  isPlainObject(obj.status) ? obj.status : (obj.status = {});

export const templateOf = (spec: JsonObject): JsonObject =>
  isPlainObject(spec.template) ? spec.template : {};

export const templateLabels = (template: JsonObject): unknown =>
  isPlainObject(template.metadata) ? template.metadata.labels : undefined;

/**
 * The selector checks of ValidateDeploymentSpec / ValidateReplicaSetSpec /
 * ValidateStatefulSetSpec: required, valid, non-empty (`empty selector is invalid for <noun>`).
 */
export function validateRequiredSelector(selector: unknown, noun: string): FieldError[] {
  if (selector === undefined || selector === null) {
    return [fieldRequired('spec.selector')];
  }
  const errors = validateLabelSelector(selector, 'spec.selector');
  const s = isPlainObject(selector) ? selector : {};
  const count =
    (isPlainObject(s.matchLabels) ? Object.keys(s.matchLabels).length : 0) +
    (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0);
  if (count === 0) {
    errors.push(
      fieldInvalid(
        'spec.selector',
        goLabelSelector(selector),
        `empty selector is invalid for ${noun}`,
      ),
    );
  }
  return errors;
}

/** `selector` does not match template `labels` (only for a non-empty, valid selector). */
export function templateMatchesSelector(
  selector: unknown,
  template: JsonObject,
  field = 'spec.template.metadata.labels',
): FieldError[] {
  const compiled = compileSelector(selector);
  const labels = templateLabels(template);
  if (compiled && !compiled.empty && !compiled.matches(labels)) {
    return [
      fieldInvalid(field, goStringMap(labels), '`selector` does not match template `labels`'),
    ];
  }
  return [];
}

/** The restartPolicy / activeDeadlineSeconds rules of pod templates that run forever. */
export function alwaysRestartingRules(template: JsonObject, noun: string): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isPlainObject(template.spec) ? template.spec : {};
  if (spec.restartPolicy !== 'Always') {
    errors.push(
      fieldNotSupported('spec.template.spec.restartPolicy', goString(spec.restartPolicy), [
        'Always',
      ]),
    );
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errors.push(
      fieldForbidden(
        'spec.template.spec.activeDeadlineSeconds',
        `activeDeadlineSeconds in ${noun} is not Supported`,
      ),
    );
  }
  return errors;
}

/**
 * ValidatePodTemplateSpecForReplicaSet (Deployments, ReplicaSets; DaemonSets and RCs reuse it
 * with their own nouns): the pod template itself, then the restart rules.
 */
export function validateAlwaysRestartingTemplate(template: JsonObject, noun: string): FieldError[] {
  return [
    ...validatePodTemplate(template, 'spec.template'),
    ...alwaysRestartingRules(template, noun),
  ];
}

/** apps/v1 strategies: `spec.selector: Invalid value: …: field is immutable`. */
export function immutableSelector(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!old) {
    return [];
  }
  const next = getPath(obj, 'spec.selector');
  return immutableField(!deepEqual(next, getPath(old, 'spec.selector')), 'spec.selector', () =>
    goLabelSelector(next),
  );
}

/** A percent string ("25%") or a non-negative int (ValidatePositiveIntOrPercent). */
export function validateIntOrPercent(value: unknown, field: string): FieldError[] {
  if (typeof value === 'string') {
    return /^[0-9]+%$/.test(value)
      ? []
      : [
          fieldInvalid(
            field,
            goIntOrString(value),
            "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
          ),
        ];
  }
  if (typeof value === 'number') {
    return nonNegative(value, field);
  }
  return [
    fieldInvalid(field, goIntOrString(value), "must be an integer or percentage (e.g '5%%')"),
  ];
}

/** The value of an int-or-percent (`25%` → 25), as getIntOrPercentValue. */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'string') {
    return /^[0-9]+%$/.test(value) ? Number(value.slice(0, -1)) : Number.parseInt(value, 10) || 0;
  }
  return typeof value === 'number' ? value : 0;
}

export function notMoreThan100Percent(value: unknown, field: string): FieldError[] {
  return typeof value === 'string' && /^[0-9]+%$/.test(value) && intOrPercentValue(value) > 100
    ? [fieldInvalid(field, goIntOrString(value), 'must not be greater than 100%')]
    : [];
}

/** Non-negative status counters and `<field> cannot be greater than status.replicas`. */
export function validateStatusCounters(
  obj: KubeObject,
  counters: string[],
  boundedByReplicas: string[],
): FieldError[] {
  const status = isPlainObject(obj.status) ? obj.status : {};
  const errors: FieldError[] = [];
  for (const c of counters) {
    errors.push(...nonNegative(status[c], `status.${c}`));
  }
  const replicas = Number(status.replicas ?? 0);
  for (const c of boundedByReplicas) {
    if (Number(status[c] ?? 0) > replicas) {
      errors.push(
        fieldInvalid(`status.${c}`, goInt(status[c]), 'cannot be greater than status.replicas'),
      );
    }
  }
  return errors;
}

/** ValidateReplicaSetStatus (ReplicaSets and ReplicationControllers alike). */
export function validateReplicaStatus(obj: KubeObject): FieldError[] {
  const errors = validateStatusCounters(
    obj,
    [
      'replicas',
      'fullyLabeledReplicas',
      'readyReplicas',
      'availableReplicas',
      'observedGeneration',
    ],
    ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
  );
  const status = isPlainObject(obj.status) ? obj.status : {};
  if (Number(status.availableReplicas ?? 0) > Number(status.readyReplicas ?? 0)) {
    errors.push(
      fieldInvalid(
        'status.availableReplicas',
        goInt(status.availableReplicas),
        'cannot be greater than readyReplicas',
      ),
    );
  }
  return errors;
}

/** Fields Go always serialises in a status (no `omitempty`): they show as 0 until written. */
export function zeroStatusFields(obj: KubeObject, fields: string[]): void {
  if (!isPlainObject(obj.status)) {
    obj.status = {};
  }
  for (const f of fields) {
    (obj.status as JsonObject)[f] ??= 0;
  }
}

/** A replicas count, defaulted to 1 (SetDefaults_Deployment and friends). */
export function defaultReplicas(spec: JsonObject): void {
  spec.replicas ??= 1;
}

/** Scale `status.selector` of a kind with a metav1.LabelSelector. */
export const labelSelectorText = (o: KubeObject): string =>
  compileSelector(getPath(o, 'spec.selector'))?.text ?? '';

/** Ready pods counted for `READY x/y` columns. */
export const readyOf = (o: KubeObject, path = 'status.readyReplicas'): number =>
  Number(getPath(o, path) ?? 0);

export const replicasOf = (o: KubeObject): number => Number(getPath(o, 'spec.replicas') ?? 0);

export const conditionsOf = (o: KubeObject) => getArray(o, 'status.conditions');

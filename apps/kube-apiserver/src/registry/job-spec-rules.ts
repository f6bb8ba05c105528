import { isPlainObject, type JsonObject } from '../object/types';
import type { FieldError } from '../errors/kube-error';
import { fieldInvalid, fieldNotSupported, fieldRequired, nonNegative } from './field-errors';
import { goInt, goString } from './go-format';
import { validatePodFailurePolicy, validateSuccessPolicy } from './job-policy-rules';
import { defaultPodTemplate } from './pod-spec-defaults';
import { validatePodTemplate } from './pod-spec-validation';

/**
 * A JobSpec's defaults and checks, shared by Jobs and CronJob job templates
 * (`pkg/apis/batch/v1/defaults.go` SetDefaults_Job, `pkg/apis/batch/validation` validateJobSpec).
 */

/** SetDefaults_Job's spec part (JobPodReplacementPolicy is on by default in 1.32). */
export function defaultJobSpec(spec: JsonObject): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const failurePolicy = isPlainObject(spec.podFailurePolicy) ? spec.podFailurePolicy : undefined;
  for (const rule of Array.isArray(failurePolicy?.rules) ? failurePolicy.rules : []) {
    for (const pattern of isPlainObject(rule) && Array.isArray(rule.onPodConditions)
      ? rule.onPodConditions
      : []) {
      if (isPlainObject(pattern)) {
        pattern.status ||= 'True';
      }
    }
  }
  spec.podReplacementPolicy ??= failurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
}

/** A pod template's defaults inside a JobSpec (used by CronJobs, whose job spec is not defaulted). */
export function defaultJobTemplatePod(spec: JsonObject): void {
  if (!isPlainObject(spec.template)) {
    spec.template = {};
  }
  defaultPodTemplate(spec.template);
}

const nonNegativeFields = [
  'parallelism',
  'completions',
  'activeDeadlineSeconds',
  'backoffLimit',
  'ttlSecondsAfterFinished',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
];

/** validateJobSpec at `field` (`spec` for Jobs, `spec.jobTemplate.spec` for CronJobs). */
export function validateJobSpec(spec: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const f of nonNegativeFields) {
    errors.push(...nonNegative(spec[f], `${field}.${f}`));
  }
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) {
    errors.push(
      fieldRequired(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'),
    );
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errors.push(
      fieldNotSupported(`${field}.completionMode`, goString(mode), ['NonIndexed', 'Indexed']),
    );
  }
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) {
      errors.push(fieldRequired(`${field}.completions`, 'when completion mode is Indexed'));
    }
    if (typeof spec.parallelism === 'number' && spec.parallelism > 100000) {
      errors.push(
        fieldInvalid(
          `${field}.parallelism`,
          goInt(spec.parallelism),
          'must be less than or equal to 100000 when completion mode is Indexed',
        ),
      );
    }
  } else {
    for (const f of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (spec[f] !== undefined && spec[f] !== null) {
        errors.push(
          fieldInvalid(`${field}.${f}`, goInt(spec[f]), 'requires indexed completion mode'),
        );
      }
    }
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== null) {
    if (spec.podFailurePolicy) {
      if (replacement !== 'Failed') {
        errors.push(
          fieldNotSupported(`${field}.podReplacementPolicy`, goString(replacement), ['Failed']),
        );
      }
    } else if (replacement !== 'Failed' && replacement !== 'TerminatingOrFailed') {
      errors.push(
        fieldNotSupported(`${field}.podReplacementPolicy`, goString(replacement), [
          'Failed',
          'TerminatingOrFailed',
        ]),
      );
    }
  }
  errors.push(...validatePodFailurePolicy(spec, `${field}.podFailurePolicy`));
  errors.push(...validateSuccessPolicy(spec, `${field}.successPolicy`));
  errors.push(...validatePodTemplate(spec.template, `${field}.template`));
  const template = isPlainObject(spec.template) ? spec.template : {};
  const restart = isPlainObject(template.spec) ? template.spec.restartPolicy : undefined;
  const restartField = `${field}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === undefined || restart === '') {
    errors.push(fieldRequired(restartField, 'valid values: "OnFailure", "Never"'));
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errors.push(fieldNotSupported(restartField, goString(restart), ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy && restart !== 'Never') {
    errors.push(
      fieldInvalid(
        restartField,
        goString(restart),
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return errors;
}

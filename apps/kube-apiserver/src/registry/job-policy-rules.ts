import { isPlainObject, type JsonObject } from '../object/types';
import type { FieldError } from '../errors/kube-error';
import {
  fieldDuplicate,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  nonNegative,
} from './field-errors';
import { goInt, goRaw, goString } from './go-format';
import { qualifiedNameErrors } from './label-selector-rules';

/**
 * A JobSpec's podFailurePolicy and successPolicy checks, with upstream's limits and messages
 * (`pkg/apis/batch/validation/validation.go` validatePodFailurePolicy, validateSuccessPolicy).
 */

const MAX_FAILURE_POLICY_RULES = 20;
const MAX_ON_POD_CONDITIONS = 20;
const MAX_ON_EXIT_CODES_VALUES = 255;
const MAX_SUCCESS_POLICY_RULES = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const STATUSES = ['False', 'True', 'Unknown'];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const tooMany = (field: string, actual: number, max: number): FieldError => ({
  field,
  message: `Too many: ${actual}: must have at most ${max} items`,
  reason: 'FieldValueTooMany',
});
/** field.Invalid with field.OmitValueType{}: the message names no value. */
const invalidOmitted = (field: string, detail: string): FieldError => ({
  field,
  message: `Invalid value: ${detail}`,
  reason: 'FieldValueInvalid',
});
const goInt32s = (values: unknown[]) => goRaw(`[]int32{${values.map(String).join(', ')}}`);

export function validatePodFailurePolicy(spec: JsonObject, field: string): FieldError[] {
  const policy = spec.podFailurePolicy;
  if (!isPlainObject(policy)) {
    return [];
  }
  const errors: FieldError[] = [];
  const rules = list(policy.rules);
  const rulesPath = `${field}.rules`;
  if (rules.length > MAX_FAILURE_POLICY_RULES) {
    errors.push(tooMany(rulesPath, rules.length, MAX_FAILURE_POLICY_RULES));
  }
  const template = isPlainObject(spec.template) ? spec.template : {};
  const podSpec = isPlainObject(template.spec) ? template.spec : {};
  const containerNames = new Set(
    [...list(podSpec.containers), ...list(podSpec.initContainers)]
      .map((c) => (isPlainObject(c) ? c.name : undefined))
      .filter((n): n is string => typeof n === 'string'),
  );
  rules.forEach((raw, i) => {
    const rule = isPlainObject(raw) ? raw : {};
    const rulePath = `${rulesPath}[${i}]`;
    const action = rule.action;
    if (action === undefined || action === '') {
      errors.push(
        fieldRequired(
          `${rulePath}.action`,
          `valid values: ${JSON.stringify(ACTIONS).replace(/,/g, ' ')}`,
        ),
      );
    } else if (action === 'FailIndex') {
      if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null) {
        errors.push(
          fieldInvalid(
            `${rulePath}.action`,
            goString(action),
            'requires the backoffLimitPerIndex to be set',
          ),
        );
      }
    } else if (!ACTIONS.includes(action as string)) {
      errors.push(fieldNotSupported(`${rulePath}.action`, goString(action), ACTIONS));
    }
    const onExitCodes = isPlainObject(rule.onExitCodes) ? rule.onExitCodes : undefined;
    const onPodConditions = list(rule.onPodConditions);
    if (onExitCodes) {
      errors.push(...validateOnExitCodes(onExitCodes, `${rulePath}.onExitCodes`, containerNames));
    }
    if (onPodConditions.length > 0) {
      errors.push(...validateOnPodConditions(onPodConditions, `${rulePath}.onPodConditions`));
    }
    if (onExitCodes && onPodConditions.length > 0) {
      errors.push(
        invalidOmitted(
          rulePath,
          'specifying both OnExitCodes and OnPodConditions is not supported',
        ),
      );
    }
    if (!onExitCodes && onPodConditions.length === 0) {
      errors.push(
        invalidOmitted(rulePath, 'specifying one of OnExitCodes and OnPodConditions is required'),
      );
    }
  });
  return errors;
}

function validateOnExitCodes(
  req: JsonObject,
  path: string,
  containerNames: Set<string>,
): FieldError[] {
  const errors: FieldError[] = [];
  const operator = req.operator;
  if (operator === undefined || operator === '') {
    errors.push(
      fieldRequired(
        `${path}.operator`,
        `valid values: ${JSON.stringify(OPERATORS).replace(/,/g, ' ')}`,
      ),
    );
  } else if (!OPERATORS.includes(operator as string)) {
    errors.push(fieldNotSupported(`${path}.operator`, goString(operator), OPERATORS));
  }
  if (typeof req.containerName === 'string' && !containerNames.has(req.containerName)) {
    errors.push(
      fieldInvalid(
        `${path}.containerName`,
        goString(req.containerName),
        'must be one of the container or initContainer names in the pod template',
      ),
    );
  }
  const values = list(req.values);
  const valuesPath = `${path}.values`;
  if (values.length === 0) {
    errors.push(fieldInvalid(valuesPath, goInt32s(values), 'at least one value is required'));
  } else if (values.length > MAX_ON_EXIT_CODES_VALUES) {
    errors.push(tooMany(valuesPath, values.length, MAX_ON_EXIT_CODES_VALUES));
  }
  const seen = new Set<unknown>();
  let ordered = true;
  values.forEach((v, j) => {
    if (operator === 'In' && v === 0) {
      errors.push(
        fieldInvalid(`${valuesPath}[${j}]`, goInt(v), 'must not be 0 for the In operator'),
      );
    }
    if (seen.has(v)) {
      errors.push(fieldDuplicate(`${valuesPath}[${j}]`, goInt(v)));
    } else {
      seen.add(v);
    }
    if (j > 0 && Number(values[j - 1]) > Number(v)) {
      ordered = false;
    }
  });
  if (!ordered) {
    errors.push(fieldInvalid(valuesPath, goInt32s(values), 'must be ordered'));
  }
  return errors;
}

function validateOnPodConditions(patterns: unknown[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (patterns.length > MAX_ON_POD_CONDITIONS) {
    errors.push(tooMany(path, patterns.length, MAX_ON_POD_CONDITIONS));
  }
  patterns.forEach((raw, j) => {
    const pattern = isPlainObject(raw) ? raw : {};
    const type = typeof pattern.type === 'string' ? pattern.type : '';
    for (const message of qualifiedNameErrors(type)) {
      errors.push(fieldInvalid(`${path}[${j}].type`, goString(type), message));
    }
    const status = pattern.status;
    if (status === undefined || status === '') {
      errors.push(
        fieldRequired(
          `${path}[${j}].status`,
          `valid values: ${JSON.stringify(STATUSES).replace(/,/g, ' ')}`,
        ),
      );
    } else if (!STATUSES.includes(status as string)) {
      errors.push(fieldNotSupported(`${path}[${j}].status`, goString(status), STATUSES));
    }
  });
  return errors;
}

export function validateSuccessPolicy(spec: JsonObject, field: string): FieldError[] {
  const policy = spec.successPolicy;
  if (policy === undefined || policy === null) {
    return [];
  }
  const specPath = field.slice(0, field.lastIndexOf('.'));
  if (spec.completionMode !== 'Indexed') {
    return [
      fieldInvalid(
        `${specPath}.completionMode`,
        goString(spec.completionMode ?? ''),
        'requires indexed completion mode',
      ),
    ];
  }
  const errors: FieldError[] = [];
  const rules = list(isPlainObject(policy) ? policy.rules : undefined);
  const rulesPath = `${field}.rules`;
  if (rules.length === 0) {
    errors.push(
      fieldRequired(
        rulesPath,
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  }
  if (rules.length > MAX_SUCCESS_POLICY_RULES) {
    errors.push(tooMany(rulesPath, rules.length, MAX_SUCCESS_POLICY_RULES));
  }
  const completions = typeof spec.completions === 'number' ? spec.completions : 0;
  rules.forEach((raw, i) => {
    const rule = isPlainObject(raw) ? raw : {};
    const rulePath = `${rulesPath}[${i}]`;
    const count = rule.succeededCount;
    const indexes = rule.succeededIndexes;
    if ((count === undefined || count === null) && (indexes === undefined || indexes === null)) {
      errors.push(
        fieldRequired(
          rulePath,
          'at least one of succeededCount or succeededIndexes must be specified',
        ),
      );
    }
    let total = 0;
    if (typeof indexes === 'string') {
      const indexesPath = `${rulePath}.succeededIndexes`;
      if (indexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) {
        errors.push({
          field: indexesPath,
          message: `Too long: may not be more than ${MAX_SUCCEEDED_INDEXES_LENGTH} bytes`,
          reason: 'FieldValueTooLong',
        });
      }
      const parsed = indexesFormat(indexes, completions);
      if (typeof parsed === 'string') {
        errors.push(
          fieldInvalid(indexesPath, goString(indexes), `error parsing succeededIndexes: ${parsed}`),
        );
      } else {
        total = parsed;
      }
    }
    if (typeof count === 'number') {
      const countPath = `${rulePath}.succeededCount`;
      errors.push(...nonNegative(count, countPath));
      if (count > completions) {
        errors.push(
          fieldInvalid(
            countPath,
            goInt(count),
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      }
      if (typeof indexes === 'string' && count > total) {
        errors.push(
          fieldInvalid(
            countPath,
            goInt(count),
            `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
      }
    }
  });
  return errors;
}

/** validateIndexesFormat: how many indexes "1,3-5" names, or what is wrong with it. */
export function indexesFormat(text: string, completions: number): number | string {
  if (text.length === 0) {
    return 0;
  }
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(',')) {
    const limits = interval.split('-');
    if (limits.length > 2) {
      return `the fragment "${interval}" violates the requirement that an index interval can have at most two parts separated by '-'`;
    }
    const bounds: number[] = [];
    for (const limit of limits) {
      if (!/^[+-]?\d+$/.test(limit)) {
        return `cannot convert string to integer for index: "${limit}"`;
      }
      const x = Number(limit);
      if (x >= completions) {
        return `too large index: "${limit}"`;
      }
      if (last !== undefined && last >= x) {
        return `non-increasing order, previous: ${last}, current: ${x}`;
      }
      bounds.push(x);
      last = x;
    }
    total += bounds.length === 2 ? bounds[1] - bounds[0] + 1 : 1;
  }
  return total;
}

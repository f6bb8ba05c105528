import type { FieldError } from '../errors/kube-error';
import { goInt, type GoValue } from './go-format';

/**
 * Field errors with apimachinery's exact wording (`k8s.io/apimachinery/pkg/util/validation/field`):
 * `Invalid value: <v>: <detail>`, `Required value[: detail]`, `Forbidden: <detail>`,
 * `Unsupported value: <v>: supported values: "a", "b"`, `Duplicate value: <v>`, `Not found: <v>`.
 */
export function fieldInvalid(field: string, value: GoValue, detail = ''): FieldError {
  return {
    field,
    message: detail ? `Invalid value: ${value}: ${detail}` : `Invalid value: ${value}`,
    reason: 'FieldValueInvalid',
  };
}

export function fieldRequired(field: string, detail = ''): FieldError {
  return {
    field,
    message: detail ? `Required value: ${detail}` : 'Required value',
    reason: 'FieldValueRequired',
  };
}

export function fieldForbidden(field: string, detail: string): FieldError {
  return { field, message: `Forbidden: ${detail}`, reason: 'FieldValueForbidden' };
}

export function fieldNotSupported(field: string, value: GoValue, allowed: string[]): FieldError {
  const supported = allowed.length
    ? `: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`
    : '';
  return {
    field,
    message: `Unsupported value: ${value}${supported}`,
    reason: 'FieldValueNotSupported',
  };
}

export function fieldDuplicate(field: string, value: GoValue): FieldError {
  return { field, message: `Duplicate value: ${value}`, reason: 'FieldValueDuplicate' };
}

export function fieldNotFound(field: string, value: GoValue): FieldError {
  return { field, message: `Not found: ${value}`, reason: 'FieldValueNotFound' };
}

/** ValidateNonnegativeField; absent values (defaulted later or optional) pass. */
export function nonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0
    ? [fieldInvalid(field, goInt(value), 'must be greater than or equal to 0')]
    : [];
}

/** ValidateImmutableField: `field is immutable` with the new value. */
export function immutableField(
  changed: boolean,
  field: string,
  newValue: () => GoValue,
): FieldError[] {
  return changed ? [fieldInvalid(field, newValue(), 'field is immutable')] : [];
}

/** field.TooLong with a known maximum. */
export function fieldTooLong(field: string, maxLength: number): FieldError {
  return {
    field,
    message: `Too long: may not be more than ${maxLength} bytes`,
    reason: 'FieldValueTooLong',
  };
}

import type { FieldError } from '../errors/kube-error';
import { goValueString } from '../api/field-validation';
import { isPlainObject } from '../object/types';
import { fieldInvalid, fieldNotSupported, fieldRequired } from '../registry/field-errors';
import { goRaw } from '../registry/go-format';
import { additionalSchema, childPath, type JsonSchema } from './json-schema';
import { matchesFormat } from './schema-formats';

/** Go's %v of a decoded JSON value, as field errors print bad values. */
function goValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return goValueString(value);
}

/** go-openapi's name of a JSON value's type. */
function jsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return true;
  }
}

/** An error worded as kube-openapi's validator words it (`<path> in body …`). */
const invalidAt = (path: string, value: unknown, detail: string): FieldError =>
  fieldInvalid(path, goRaw(goValue(value)), `${path} in body ${detail}`);

const tooMany = (path: string, actual: number, max: number): FieldError => ({
  field: path,
  message: `Too many: ${actual}: must have at most ${max} items`,
  reason: 'FieldValueTooMany',
});

/**
 * Validates a custom resource against its structural schema the way apiextensions-apiserver
 * does (kube-openapi's SchemaValidator, errors converted by kubeOpenAPIResultToFieldErrors):
 * type, nullable, enum, required, bounds, lengths, pattern, formats, item and property counts,
 * allOf/anyOf/oneOf/not, and embedded resources' apiVersion/kind. `metadata` at the root is
 * ObjectMeta's business. CEL rules (`x-kubernetes-validations`) are cel-rules.ts's.
 */
export function validateAgainstSchema(
  value: unknown,
  schema: JsonSchema | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  if (schema) {
    validateNode(value, schema, '', errors, true);
  }
  return errors;
}

function validateNode(
  value: unknown,
  schema: JsonSchema,
  path: string,
  errors: FieldError[],
  root = false,
): void {
  if (value === null) {
    if (!schema.nullable && schema.type) {
      errors.push(
        fieldInvalid(path, goRaw('null'), `${path} in body must be of type ${schema.type}: "null"`),
      );
    }
    return;
  }
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const types = intOrString ? ['integer', 'string'] : schema.type ? [schema.type] : [];
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) {
    errors.push({
      ...invalidAt(path, value, `must be of type ${types.join(',')}: "${jsonType(value)}"`),
      reason: 'FieldValueTypeInvalid',
    });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(
      fieldNotSupported(
        path,
        goRaw(goValue(value)),
        schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  }
  if (typeof value === 'number') {
    validateNumber(value, schema, path, errors);
  } else if (typeof value === 'string') {
    validateString(value, schema, path, errors);
  } else if (Array.isArray(value)) {
    validateArray(value, schema, path, errors);
  } else if (isPlainObject(value)) {
    validateObject(value, schema, path, errors, root);
  }
  validateJunctors(value, schema, path, errors);
}

function validateNumber(value: number, s: JsonSchema, path: string, errors: FieldError[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum) {
      const op = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      errors.push(invalidAt(path, value, `should be ${op} ${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum) {
      const op = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      errors.push(invalidAt(path, value, `should be ${op} ${s.minimum}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const ratio = value / s.multipleOf;
    if (Math.abs(ratio - Math.round(ratio)) > 1e-9) {
      errors.push(invalidAt(path, value, `should be a multiple of ${s.multipleOf}`));
    }
  }
}

function validateString(value: string, s: JsonSchema, path: string, errors: FieldError[]): void {
  const length = [...value].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    errors.push({
      field: path,
      message: `Too long: may not be longer than ${s.maxLength}`,
      reason: 'FieldValueTooLong',
    });
  }
  if (s.minLength !== undefined && length < s.minLength) {
    errors.push(invalidAt(path, value, `should be at least ${s.minLength} chars long`));
  }
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(value)) {
      errors.push(invalidAt(path, value, `should match '${s.pattern}'`));
    }
  }
  if (s.format && s.type === 'string' && !matchesFormat(s.format, value)) {
    errors.push({
      ...invalidAt(path, value, `must be of type ${s.format}: ${JSON.stringify(value)}`),
      reason: 'FieldValueTypeInvalid',
    });
  }
}

function validateArray(value: unknown[], s: JsonSchema, path: string, errors: FieldError[]): void {
  if (s.maxItems !== undefined && value.length > s.maxItems) {
    errors.push(tooMany(path, value.length, s.maxItems));
  }
  if (s.minItems !== undefined && value.length < s.minItems) {
    errors.push(invalidAt(path, value, `should have at least ${s.minItems} items`));
  }
  if (s['x-kubernetes-list-type'] === 'set' || s['x-kubernetes-list-type'] === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const identity =
        s['x-kubernetes-list-type'] === 'map' && isPlainObject(item)
          ? JSON.stringify(keys.map((k) => item[k]))
          : JSON.stringify(item);
      if (seen.has(identity)) {
        errors.push({
          field: childPath(path, i),
          message: `Duplicate value: ${goValue(
            s['x-kubernetes-list-type'] === 'map' && isPlainObject(item)
              ? Object.fromEntries(keys.map((k) => [k, item[k]]))
              : item,
          )}`,
          reason: 'FieldValueDuplicate',
        });
      }
      seen.add(identity);
    });
  }
  if (s.items) {
    value.forEach((item, i) =>
      validateNode(item, s.items as JsonSchema, childPath(path, i), errors),
    );
  }
}

function validateObject(
  value: Record<string, unknown>,
  s: JsonSchema,
  path: string,
  errors: FieldError[],
  root: boolean,
): void {
  const count = Object.keys(value).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) {
    errors.push(tooMany(path, count, s.maxProperties));
  }
  if (s.minProperties !== undefined && count < s.minProperties) {
    errors.push(invalidAt(path, value, `should have at least ${s.minProperties} properties`));
  }
  for (const name of s.required ?? []) {
    if (!(name in value) && !(root && name === 'metadata')) {
      errors.push(fieldRequired(childPath(path, name)));
    }
  }
  if (s['x-kubernetes-embedded-resource'] === true) {
    for (const name of ['apiVersion', 'kind']) {
      if (typeof value[name] !== 'string' || value[name] === '') {
        errors.push(fieldRequired(childPath(path, name), 'must not be empty'));
      }
    }
  }
  const additional = additionalSchema(s);
  for (const [key, child] of Object.entries(value)) {
    if ((root || s['x-kubernetes-embedded-resource'] === true) && key === 'metadata') {
      continue;
    }
    const sub = s.properties?.[key] ?? additional;
    if (sub) {
      validateNode(child, sub, childPath(path, key), errors);
    }
  }
}

function validateJunctors(value: unknown, s: JsonSchema, path: string, errors: FieldError[]): void {
  const passes = (sub: JsonSchema) => {
    const found: FieldError[] = [];
    validateNode(value, sub, path, found);
    return found.length === 0;
  };
  for (const sub of s.allOf ?? []) {
    validateNode(value, sub, path, errors);
  }
  if (s.anyOf && !s.anyOf.some(passes)) {
    errors.push(invalidAt(path, value, 'must validate at least one schema (anyOf)'));
  }
  if (s.oneOf && s.oneOf.filter(passes).length !== 1) {
    errors.push(invalidAt(path, value, 'must validate one and only one schema (oneOf)'));
  }
  if (s.not && passes(s.not)) {
    errors.push(invalidAt(path, value, 'must not validate the schema (not)'));
  }
}

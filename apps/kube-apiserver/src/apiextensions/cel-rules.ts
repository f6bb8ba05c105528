import type { CelInput } from '@bufbuild/cel';
import type { FieldError } from '../errors/kube-error';
import { isPlainObject } from '../object/types';
import { fieldInvalid } from '../registry/field-errors';
import { goString } from '../registry/go-format';
import { celLibrary, compileCel as compile } from './cel-library';
import { additionalSchema, childPath, type JsonSchema } from './json-schema';

/** One `x-kubernetes-validations` entry. */
interface ValidationRule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** Syntax errors of a CRD's rules (upstream refuses the CRD when a rule does not compile). */
export function ruleCompileError(rule: unknown): string | undefined {
  if (typeof rule !== 'string') {
    return undefined;
  }
  const program = compile(rule);
  return program instanceof Error ? program.message : undefined;
}

/**
 * JSON as CEL sees a structural value: objects are maps, integers (by schema) are ints, other
 * numbers doubles.
 */
function toCel(value: unknown, schema: JsonSchema | undefined): CelInput {
  if (Array.isArray(value)) {
    return value.map((item) => toCel(item, schema?.items));
  }
  if (isPlainObject(value)) {
    return new Map(
      Object.entries(value).map(([k, v]) => [
        k,
        toCel(v, schema?.properties?.[k] ?? (schema && additionalSchema(schema))),
      ]),
    );
  }
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    (schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true)
  ) {
    return BigInt(value);
  }
  return value as CelInput;
}

const typeName = (schema: JsonSchema, value: unknown): string =>
  schema.type ?? (typeof value === 'string' ? 'string' : 'integer');

/** The field error a failed rule produces, by its `reason` (FieldValueInvalid by default). */
function ruleError(path: string, value: string, message: string, reason?: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return { field: path, message: `Forbidden: ${message}`, reason };
    case 'FieldValueRequired':
      return { field: path, message: `Required value: ${message}`, reason };
    case 'FieldValueDuplicate':
      return { field: path, message: `Duplicate value: ${value}: ${message}`, reason };
    case undefined:
    default:
      return fieldInvalid(path, goString(value), message);
  }
}

/**
 * Evaluates the CEL rules (`x-kubernetes-validations`) of a structural schema against an object
 * (and the stored object for transition rules using `oldSelf`), as apiextensions-apiserver's
 * CEL validator does, with the core CEL language and the `strings` extension library (rules
 * calling other Kubernetes libraries — quantity, URL, IP, … — are skipped).
 */
export function validateCelRules(
  value: unknown,
  old: unknown,
  schema: JsonSchema | undefined,
  path = '',
): FieldError[] {
  if (!schema || value === undefined || value === null) {
    return [];
  }
  const errors: FieldError[] = [];
  for (const entry of schema['x-kubernetes-validations'] ?? []) {
    const rule = entry as ValidationRule;
    if (typeof rule.rule !== 'string') {
      continue;
    }
    const transition = /\boldSelf\b/.test(rule.rule);
    if (transition && old === undefined && !rule.optionalOldSelf) {
      continue; // transition rules only run on updates
    }
    const program = compile(rule.rule);
    if (program instanceof Error) {
      continue;
    }
    const bindings: Record<string, CelInput> = { self: toCel(value, schema) };
    if (transition) {
      bindings.oldSelf = old === undefined ? null : toCel(old, schema);
    }
    const result = program(bindings);
    const at = rule.fieldPath ? `${path}${rule.fieldPath}`.replace(/^\./, '') : path;
    if (celLibrary().cel.isCelError(result)) {
      if (/unbound function|no such overload|unknown/i.test(result.message)) {
        continue; // a library this server does not provide
      }
      errors.push(
        fieldInvalid(
          at,
          goString(typeName(schema, value)),
          // cel-go's wording for a missing field
          `${result.message.replace(/^field not found: /, 'no such key: ')} evaluating rule: ${rule.rule}`,
        ),
      );
    } else if (result === false) {
      errors.push(ruleError(at, typeName(schema, value), messageOf(rule, bindings), rule.reason));
    }
  }
  if (Array.isArray(value) && schema.items) {
    const oldItems = Array.isArray(old) ? old : [];
    value.forEach((item, i) =>
      errors.push(...validateCelRules(item, oldItems[i], schema.items, childPath(path, i))),
    );
  } else if (isPlainObject(value)) {
    const oldMap = isPlainObject(old) ? old : {};
    for (const [key, child] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? additionalSchema(schema);
      errors.push(...validateCelRules(child, oldMap[key], sub, childPath(path, key)));
    }
  }
  return errors;
}

function messageOf(rule: ValidationRule, bindings: Record<string, CelInput>): string {
  if (rule.messageExpression) {
    const program = compile(rule.messageExpression);
    if (!(program instanceof Error)) {
      const message = program(bindings);
      if (typeof message === 'string' && message.trim() !== '') {
        return message;
      }
    }
  }
  return rule.message || `failed rule: ${rule.rule}`;
}

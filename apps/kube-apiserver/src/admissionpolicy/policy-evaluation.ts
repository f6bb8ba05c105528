import type { CelInput } from '@bufbuild/cel';
import { celLibrary, compileCel } from '../apiextensions/cel-library';
import { isPlainObject, type JsonObject } from '../object/types';
import { objectsIn, text } from '../registry/object-path';

/** The variables a policy's expressions see (`object`, `oldObject`, `request`, `params`, …). */
export interface PolicyInputs {
  object: unknown;
  oldObject: unknown;
  request: JsonObject;
  params: unknown;
  namespaceObject: unknown;
}

/** One failed validation: the message and the Status reason (`Invalid` unless the policy names one). */
export interface PolicyFailure {
  message: string;
  reason: string;
}

/**
 * JSON as CEL sees an unstructured object: maps for objects, whole numbers as ints (a policy's
 * `object.spec.replicas <= 5` compares ints, as against the typed object upstream).
 */
export function jsonToCel(value: unknown): CelInput {
  if (Array.isArray(value)) {
    return value.map(jsonToCel);
  }
  if (isPlainObject(value)) {
    return new Map(Object.entries(value).map(([k, v]) => [k, jsonToCel(v)]));
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    return BigInt(value);
  }
  return (value ?? null) as CelInput;
}

type Evaluated = { value: unknown } | { error: string };

function evaluate(expression: string, bindings: Record<string, CelInput>): Evaluated {
  const program = compileCel(expression);
  if (program instanceof Error) {
    return { error: `compilation failed: ${program.message}` };
  }
  const result = program(bindings);
  return celLibrary().cel.isCelError(result) ? { error: result.message } : { value: result };
}

/**
 * The validator of a ValidatingAdmissionPolicy for one request (and one param): `matchConditions`
 * decide whether it applies, `variables` are computed in order, then every validation must be
 * true. A false one fails with its `message`, its `messageExpression` or "failed expression: …";
 * an expression that errors fails the request under `failurePolicy: Fail` and is skipped under
 * `Ignore`. Returns the failures, or undefined when a match condition excluded the request.
 */
export function evaluatePolicy(
  policy: JsonObject,
  inputs: PolicyInputs,
): PolicyFailure[] | undefined {
  const spec = isPlainObject(policy.spec) ? policy.spec : {};
  const failClosed = text(spec.failurePolicy) !== 'Ignore';
  const variables = new Map<string, CelInput>();
  const bindings: Record<string, CelInput> = {
    object: jsonToCel(inputs.object),
    oldObject: jsonToCel(inputs.oldObject),
    request: jsonToCel(inputs.request),
    params: jsonToCel(inputs.params),
    namespaceObject: jsonToCel(inputs.namespaceObject),
    variables,
  };
  const failures: PolicyFailure[] = [];
  const errored = (expression: string, error: string) => {
    if (failClosed) {
      failures.push({
        message: `expression '${expression}' resulted in error: ${error}`,
        reason: 'Invalid',
      });
    }
  };
  for (const condition of objectsIn(spec.matchConditions)) {
    const expression = text(condition.expression);
    const result = evaluate(expression, bindings);
    if ('error' in result) {
      errored(expression, result.error);
      return failures;
    }
    if (result.value !== true) {
      return undefined;
    }
  }
  for (const variable of objectsIn(spec.variables)) {
    const result = evaluate(text(variable.expression), bindings);
    if ('value' in result) {
      variables.set(text(variable.name), result.value as CelInput);
    }
  }
  for (const validation of objectsIn(spec.validations)) {
    const expression = text(validation.expression);
    const result = evaluate(expression, bindings);
    if ('error' in result) {
      errored(expression, result.error);
      continue;
    }
    if (result.value === true) {
      continue;
    }
    if (result.value !== false) {
      errored(expression, `expected a boolean, got ${typeof result.value}`);
      continue;
    }
    failures.push({
      message: messageOf(validation, expression, bindings),
      reason: text(validation.reason) || 'Invalid',
    });
  }
  return failures;
}

function messageOf(
  validation: JsonObject,
  expression: string,
  bindings: Record<string, CelInput>,
): string {
  if (typeof validation.messageExpression === 'string') {
    const result = evaluate(validation.messageExpression, bindings);
    if ('value' in result && typeof result.value === 'string' && result.value.trim() !== '') {
      return result.value;
    }
  }
  return text(validation.message) || `failed expression: ${expression}`;
}

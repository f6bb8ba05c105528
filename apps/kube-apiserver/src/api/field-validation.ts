import { KubeError, badRequest, invalid } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { SchemaRegistry } from '../schema/schema-registry';
import { JsonTypeError, strictCheckValue } from '../schema/strict-json';
import type { PatchType, WriteOptions } from './resource-service';
import { isPlainObject, type KubeObject } from '../object/types';

/** ?fieldValidation: what unknown and duplicate fields do (default Warn since 1.27). */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const VALUES = ['', 'Ignore', 'Strict', 'Warn'];

/**
 * Validates ?fieldValidation (ValidateFieldValidation: 422 on <Kind>Options.meta.k8s.io);
 * absent or empty means Warn.
 */
export function parseFieldValidation(value: string | null, optionsKind: string): FieldValidation {
  const v = value ?? '';
  if (!VALUES.includes(v)) {
    throw invalid(optionsKind, { group: 'meta.k8s.io', resource: optionsKind }, '', [
      {
        field: 'fieldValidation',
        message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${VALUES.map((s) => JSON.stringify(s)).join(', ')}`,
        reason: 'FieldValueNotSupported',
      },
    ]);
  }
  return (v || 'Warn') as FieldValidation;
}

/** transformDecodeError: `Pod in version "v1" cannot be handled as a Pod: <why>` (400). */
export function cannotBeHandled(
  type: ResourceType,
  body: { kind?: unknown; apiVersion?: unknown } | undefined,
  why: string,
): KubeError {
  const kind = typeof body?.kind === 'string' && body.kind ? body.kind : type.kind;
  const apiVersion =
    typeof body?.apiVersion === 'string' && body.apiVersion ? body.apiVersion : type.version;
  const version = apiVersion.includes('/')
    ? apiVersion.slice(apiVersion.indexOf('/') + 1)
    : apiVersion;
  return badRequest(
    `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${type.kind}: ${why}`,
  );
}

/**
 * Applies the directive to strict-decoding errors of a create/update body: Ignore drops them,
 * Warn turns each into a Warning header, Strict fails with 400.
 */
export function applyDirective(
  errors: string[],
  options: Pick<WriteOptions, 'fieldValidation' | 'warnings'>,
  fail: (message: string) => KubeError,
): void {
  const directive = options.fieldValidation ?? 'Warn';
  if (errors.length === 0 || directive === 'Ignore') {
    return;
  }
  if (directive === 'Warn') {
    options.warnings?.push(...errors);
    return;
  }
  throw fail(`strict decoding error: ${errors.join(', ')}`);
}

/** Go's %+v of decoded JSON: map[a:1 b:map[c:d]], [x y], <nil>. */
export function goValueString(value: unknown): string {
  if (value === null || value === undefined) {
    return '<nil>';
  }
  if (Array.isArray(value)) {
    return `[${value.map(goValueString).join(' ')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, v]) => `${k}:${goValueString(v)}`).join(' ')}]`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The 422 upstream answers for a patch whose result does not decode: ` "" is invalid: patch: …`. */
function invalidPatch(
  patchType: PatchType,
  patch: unknown,
  patched: unknown,
  detail: string,
): KubeError {
  const value = patchType === 'strategic' ? goValueString(patch) : JSON.stringify(patched);
  return invalid('', { group: '', resource: '' }, '', [
    { field: 'patch', message: `Invalid value: ${JSON.stringify(value)}: ${detail}` },
  ]);
}

/**
 * Field validation of a patched object (json, merge and strategic patches): fields the kind
 * does not declare are dropped, and reported per the directive together with the duplicate
 * fields of the patch body; a value of the wrong type fails the patch.
 */
export function checkPatchedFields(
  schemas: SchemaRegistry,
  type: ResourceType,
  patchType: PatchType,
  patch: unknown,
  patched: unknown,
  options: WriteOptions,
): unknown {
  if (type.prune) {
    reportPrunedFields(type, patched, options, (message) =>
      invalidPatch(patchType, patch, patched, message),
    );
    return patched;
  }
  const typeRef = schemas.typeOf({ group: type.group, version: type.version, kind: type.kind });
  if (!typeRef) {
    return patched;
  }
  let checked;
  try {
    checked = strictCheckValue(patched, typeRef);
  } catch (error) {
    if (error instanceof JsonTypeError) {
      throw invalidPatch(patchType, patch, patched, error.message);
    }
    throw error;
  }
  const errors = [...(options.strictErrors ?? []), ...checked.strictErrors];
  applyDirective(errors, options, (message) => invalidPatch(patchType, patch, patched, message));
  return checked.value;
}

/**
 * Custom resources: fields their schema does not specify are pruned (schema validation reports
 * wrong types later, as 422) and reported as unknown fields per the directive.
 */
export function reportPrunedFields(
  type: ResourceType,
  value: unknown,
  options: WriteOptions,
  fail: (message: string) => KubeError,
): void {
  if (!type.prune || !isPlainObject(value) || !isPlainObject(value.metadata)) {
    return;
  }
  const pruned = type.prune(value as KubeObject).map((path) => `unknown field "${path}"`);
  applyDirective([...(options.strictErrors ?? []), ...pruned], options, fail);
}

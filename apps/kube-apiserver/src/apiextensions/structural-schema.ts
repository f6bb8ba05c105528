import type { FieldError } from '../errors/kube-error';
import { isPlainObject } from '../object/types';
import { fieldForbidden, fieldInvalid, fieldRequired } from '../registry/field-errors';
import { goBool, goString } from '../registry/go-format';
import { ruleCompileError } from './cel-rules';
import { asSchema, type JsonSchema } from './json-schema';

/** Keywords a v1 CRD schema may not use (specStandardValidatorV3 and structural rules). */
const FORBIDDEN: Record<string, string> = {
  id: 'id is not supported',
  additionalItems: 'additionalItems is not supported',
  patternProperties: 'patternProperties is not supported',
  definitions: 'definitions is not supported',
  dependencies: 'dependencies is not supported',
  $ref: '$ref is not supported',
  $schema: '$schema is not supported',
  discriminator: 'discriminator is not supported',
  readOnly: 'readOnly is not supported',
  writeOnly: 'writeOnly is not supported',
  xml: 'xml is not supported',
  deprecated: 'deprecated is not supported',
};

/** Fields a root schema may have when the status subresource is enabled. */
const ALLOWED_AT_STATUS_ROOT = new Set([
  'description',
  'type',
  'format',
  'title',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'required',
  'items',
  'properties',
  'externalDocs',
  'example',
]);

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

const key = (path: string, k: string) => `${path}.properties[${k}]`;

/**
 * Checks a CRD version's `openAPIV3Schema` (apiextensions validation.go and
 * pkg/apiserver/schema/validation.go): a structural schema — every specified field and item has
 * a type (unless int-or-string or preserve-unknown-fields), junctors add no types, defaults or
 * descriptions, `metadata` constrains only name and generateName — and no unsupported keywords.
 */
export function validateCrdSchema(
  schema: unknown,
  path: string,
  statusEnabled: boolean,
): FieldError[] {
  const root = asSchema(schema);
  if (!root) {
    return [fieldRequired(path, 'schemas are required')];
  }
  const errors: FieldError[] = [];
  if (statusEnabled) {
    if (root.type !== undefined && root.type !== 'object') {
      errors.push(
        fieldInvalid(
          `${path}.type`,
          goString(root.type),
          'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
        ),
      );
    }
    const extra = Object.keys(root).filter(
      (k) => !ALLOWED_AT_STATUS_ROOT.has(k) && !k.startsWith('x-kubernetes-'),
    );
    if (extra.length > 0) {
      errors.push(
        fieldInvalid(
          path,
          goString(extra.join(',')),
          'only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example] fields are allowed at the root of the schema if the status subresource is enabled',
        ),
      );
    }
  }
  if (root.type !== 'object') {
    errors.push(
      fieldInvalid(`${path}.type`, goString(root.type ?? ''), 'must be object at the root'),
    );
  }
  const meta = root.properties?.metadata;
  if (meta) {
    const allowed = Object.keys(meta.properties ?? {}).filter(
      (k) => k !== 'name' && k !== 'generateName',
    );
    const extraKeys = Object.keys(meta).filter((k) => k !== 'type' && k !== 'properties');
    if (allowed.length > 0 || extraKeys.length > 0 || (meta.type && meta.type !== 'object')) {
      errors.push(
        fieldForbidden(
          key(path, 'metadata'),
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      );
    }
  }
  walk(root, path, errors, { inJunctor: false, root: true });
  return errors;
}

interface WalkState {
  inJunctor: boolean;
  root: boolean;
}

function walk(s: JsonSchema, path: string, errors: FieldError[], state: WalkState): void {
  for (const [k, why] of Object.entries(FORBIDDEN)) {
    if (s[k] !== undefined) {
      errors.push(fieldForbidden(`${path}.${k}`, why));
    }
  }
  const rules = s['x-kubernetes-validations'];
  (Array.isArray(rules) ? rules : []).forEach((entry, i) => {
    const rule = isPlainObject(entry) ? entry.rule : undefined;
    const at = `${path}.x-kubernetes-validations[${i}].rule`;
    if (typeof rule !== 'string' || rule === '') {
      errors.push(fieldRequired(at));
      return;
    }
    const failure = ruleCompileError(rule);
    if (failure) {
      errors.push(fieldInvalid(at, goString(rule), `compilation failed: ${failure}`));
    }
  });
  if (s.uniqueItems === true) {
    errors.push(
      fieldForbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  }
  if (s.type === 'null') {
    errors.push(fieldForbidden(`${path}.type`, 'type cannot be set to null'));
  } else if (s.type !== undefined && !TYPES.has(s.type)) {
    errors.push(
      fieldInvalid(
        `${path}.type`,
        goString(s.type),
        'must be one of array, boolean, integer, number, object, string',
      ),
    );
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errors.push(
      fieldInvalid(
        `${path}.x-kubernetes-preserve-unknown-fields`,
        goBool(false),
        'must be true or undefined',
      ),
    );
  }
  if (s['x-kubernetes-int-or-string'] === true && s.type !== undefined) {
    errors.push(
      fieldInvalid(
        `${path}.type`,
        goString(s.type),
        'must be empty if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (s['x-kubernetes-embedded-resource'] === true && s.type !== 'object') {
    errors.push(
      fieldInvalid(
        `${path}.type`,
        goString(s.type ?? ''),
        'must be object if x-kubernetes-embedded-resource is true',
      ),
    );
  }
  if (state.inJunctor) {
    for (const k of [
      'type',
      'default',
      'description',
      'nullable',
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-embedded-resource',
      'x-kubernetes-int-or-string',
    ]) {
      if (s[k] !== undefined) {
        errors.push(fieldForbidden(`${path}.${k}`, 'must be undefined to be structural'));
      }
    }
  }
  if (s.additionalProperties !== undefined) {
    if (s.properties && Object.keys(s.properties).length > 0) {
      errors.push(
        fieldForbidden(
          `${path}.additionalProperties`,
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    if (s.additionalProperties === false) {
      errors.push(
        fieldForbidden(
          `${path}.additionalProperties`,
          'additionalProperties cannot be set to false',
        ),
      );
    }
  }
  const untypedOk =
    state.inJunctor ||
    s['x-kubernetes-int-or-string'] === true ||
    s['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [name, sub] of Object.entries(s.properties ?? {})) {
    const at = key(path, name);
    if (!isPlainObject(sub)) {
      continue;
    }
    if (state.root && name === 'metadata') {
      continue;
    }
    if (!state.inJunctor && sub.type === undefined && !allowsUntyped(sub)) {
      errors.push(fieldRequired(`${at}.type`, 'must not be empty for specified object fields'));
    }
    walk(sub, at, errors, { inJunctor: state.inJunctor, root: false });
  }
  const additional = asSchema(s.additionalProperties);
  if (additional) {
    if (!state.inJunctor && additional.type === undefined && !allowsUntyped(additional)) {
      errors.push(
        fieldRequired(
          `${path}.additionalProperties.type`,
          'must not be empty for specified object fields',
        ),
      );
    }
    walk(additional, `${path}.additionalProperties`, errors, { ...state, root: false });
  }
  if (s.type === 'array' && s.items === undefined && !untypedOk) {
    errors.push(fieldRequired(`${path}.items`, 'must be specified'));
  }
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) {
      errors.push(
        fieldForbidden(`${path}.items`, 'items must be a schema object and not an array'),
      );
    } else if (isPlainObject(s.items)) {
      if (!state.inJunctor && s.items.type === undefined && !allowsUntyped(s.items)) {
        errors.push(
          fieldRequired(`${path}.items.type`, 'must not be empty for specified array items'),
        );
      }
      walk(s.items, `${path}.items`, errors, { ...state, root: false });
    }
  }
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[junctor] ?? []).forEach((sub, i) => {
      if (isPlainObject(sub)) {
        walk(sub, `${path}.${junctor}[${i}]`, errors, { inJunctor: true, root: false });
      }
    });
  }
  if (isPlainObject(s.not)) {
    walk(s.not, `${path}.not`, errors, { inJunctor: true, root: false });
  }
}

function allowsUntyped(s: JsonSchema): boolean {
  return (
    s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true
  );
}

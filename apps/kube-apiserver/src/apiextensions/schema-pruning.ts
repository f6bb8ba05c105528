import { isPlainObject } from '../object/types';
import { additionalSchema, childPath, type JsonSchema } from './json-schema';

/** ObjectMeta's fields: everything else under a (root or embedded) `metadata` is dropped. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/**
 * Pruning (apiextensions-apiserver `pkg/apiserver/schema/pruning`): drops every field the
 * structural schema does not specify, except under `x-kubernetes-preserve-unknown-fields`.
 * `apiVersion`, `kind` and `metadata` are kept at the root and in embedded resources; `null`
 * values of non-nullable fields are dropped. Mutates `value`; returns the pruned paths
 * (`spec.foo`), which field validation reports as unknown fields.
 */
export function pruneObject(value: unknown, schema: JsonSchema | undefined): string[] {
  const pruned: string[] = [];
  if (isPlainObject(value)) {
    pruneMap(value, schema ?? {}, '', true, pruned);
  }
  return pruned;
}

function pruneMap(
  obj: Record<string, unknown>,
  schema: JsonSchema,
  path: string,
  resource: boolean,
  pruned: string[],
): void {
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = additionalSchema(schema);
  for (const key of Object.keys(obj)) {
    const at = childPath(path, key);
    if (resource && (key === 'apiVersion' || key === 'kind')) {
      continue;
    }
    if (resource && key === 'metadata') {
      pruneMetadata(obj, at, pruned);
      continue;
    }
    const sub = schema.properties?.[key] ?? additional;
    if (!sub) {
      if (!preserve && schema.additionalProperties !== true) {
        delete obj[key];
        pruned.push(at);
      }
      continue;
    }
    if (obj[key] === null && !sub.nullable) {
      delete obj[key];
      continue;
    }
    pruneValue(obj[key], sub, at, pruned);
  }
}

function pruneValue(value: unknown, schema: JsonSchema, path: string, pruned: string[]): void {
  if (Array.isArray(value)) {
    if (schema.items) {
      value.forEach((item, i) =>
        pruneValue(item, schema.items as JsonSchema, childPath(path, i), pruned),
      );
    }
    return;
  }
  if (!isPlainObject(value)) {
    return;
  }
  const typed = schema.properties || schema.additionalProperties || schema.type === 'object';
  if (!typed && schema['x-kubernetes-preserve-unknown-fields'] === true) {
    return;
  }
  pruneMap(value, schema, path, schema['x-kubernetes-embedded-resource'] === true, pruned);
}

function pruneMetadata(obj: Record<string, unknown>, path: string, pruned: string[]): void {
  const meta = obj.metadata;
  if (!isPlainObject(meta)) {
    return;
  }
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      delete meta[key];
      pruned.push(childPath(path, key));
    }
  }
}

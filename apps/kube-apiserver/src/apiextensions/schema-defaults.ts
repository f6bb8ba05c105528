import { cloneJson, isPlainObject } from '../object/types';
import { additionalSchema, type JsonSchema } from './json-schema';

/**
 * Structural defaulting (apiextensions-apiserver `pkg/apiserver/schema/defaulting`): every
 * property absent from an object gets its schema's `default`, recursively through properties,
 * additionalProperties and items; a `null` on a non-nullable field is dropped first and then
 * defaulted (1.20+). Mutates `value`.
 */
export function applyDefaults(value: unknown, schema: JsonSchema | undefined): void {
  if (!schema) {
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items) {
      value.forEach((item) => applyDefaults(item, schema.items));
    }
    return;
  }
  if (!isPlainObject(value)) {
    return;
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (value[key] === null && !sub.nullable && sub.default !== undefined) {
      delete value[key];
    }
    if (!(key in value) && sub.default !== undefined) {
      value[key] = cloneJson(sub.default);
    }
  }
  for (const [key, child] of Object.entries(value)) {
    const sub = schema.properties?.[key] ?? additionalSchema(schema);
    applyDefaults(child, sub);
  }
}

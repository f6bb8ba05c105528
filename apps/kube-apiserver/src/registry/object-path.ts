import { isPlainObject, type JsonObject } from '../object/types';

/** Reads a dotted path from JSON data (undefined when any step is missing). */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function getString(value: unknown, path: string): string | undefined {
  const v = getPath(value, path);
  if (v === undefined || v === null) {
    return undefined;
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function getArray(value: unknown, path: string): Record<string, unknown>[] {
  const v = getPath(value, path);
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

/** Text of a scalar for Table cells and messages (objects as JSON, never "[object Object]"). */
export function text(v: unknown): string {
  if (v === undefined || v === null) {
    return '';
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A list's items for validation: a non-object stands as `{}`, so indexes in field paths stay right. */
export const objectItems = (v: unknown): JsonObject[] =>
  Array.isArray(v) ? v.map((x) => (isPlainObject(x) ? x : {})) : [];

/** A list's object items, for defaulting and admission to change in place (others are skipped). */
export const objectsIn = (v: unknown): JsonObject[] =>
  Array.isArray(v) ? v.filter((x): x is JsonObject => isPlainObject(x)) : [];

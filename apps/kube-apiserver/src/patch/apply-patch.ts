import { isPlainObject } from '../api/types';
import type { ListStrategies } from './strategic-merge-patch';

type Json = Record<string, unknown>;

/**
 * Minimal server-side apply: merge the manager's intent into the live object (list maps by their
 * merge keys), then drop fields the same manager applied last time but no longer applies.
 * No conflict detection between managers.
 */
export function applyIntent(
  live: Json,
  intent: Json,
  previousIntent: Json | undefined,
  strategies: ListStrategies,
): Json {
  const merged = mergeInto(live, intent, '', strategies) as Json;
  if (previousIntent) {
    dropRemoved(merged, previousIntent, intent, '', strategies);
  }
  return merged;
}

function mergeInto(
  live: unknown,
  intent: unknown,
  path: string,
  strategies: ListStrategies,
): unknown {
  if (isPlainObject(intent)) {
    const out: Json = isPlainObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(intent)) {
      out[k] = mergeInto(out[k], v, path ? `${path}.${k}` : k, strategies);
    }
    return out;
  }
  if (Array.isArray(intent)) {
    const strategy = strategies[path];
    if (strategy?.key && Array.isArray(live)) {
      const key = strategy.key;
      const out: unknown[] = [...(live as unknown[])];
      for (const item of intent as unknown[]) {
        const i = out.findIndex(
          (o) =>
            isPlainObject(o) &&
            isPlainObject(item) &&
            JSON.stringify(o[key]) === JSON.stringify(item[key]),
        );
        if (i >= 0) {
          out[i] = mergeInto(out[i], item, path, strategies);
        } else {
          out.push(item);
        }
      }
      return out;
    }
    if (strategy?.primitive && Array.isArray(live)) {
      const existing = live as unknown[];
      const added = (intent as unknown[]).filter(
        (v) => !existing.some((l) => JSON.stringify(l) === JSON.stringify(v)),
      );
      return [...existing, ...added];
    }
    return intent;
  }
  return intent;
}

function dropRemoved(
  live: Json,
  before: Json,
  after: Json,
  path: string,
  strategies: ListStrategies,
): void {
  for (const [k, prev] of Object.entries(before)) {
    const childPath = path ? `${path}.${k}` : k;
    if (!(k in after)) {
      removeOwned(live, k, prev);
      continue;
    }
    const next = after[k];
    if (isPlainObject(prev) && isPlainObject(next) && isPlainObject(live[k])) {
      dropRemoved(live[k], prev, next, childPath, strategies);
    } else if (Array.isArray(prev) && Array.isArray(next) && Array.isArray(live[k])) {
      const key = strategies[childPath]?.key;
      if (key) {
        const kept = new Set(next.map((i) => JSON.stringify(isPlainObject(i) ? i[key] : i)));
        const dropped = new Set(
          prev
            .map((i) => JSON.stringify(isPlainObject(i) ? i[key] : i))
            .filter((id) => !kept.has(id)),
        );
        live[k] = (live[k] as unknown[]).filter(
          (i) => !dropped.has(JSON.stringify(isPlainObject(i) ? i[key] : i)),
        );
      }
    }
  }
}

/** Removes what a manager owned under `key`: for maps only its own sub-fields, else the value. */
function removeOwned(live: Json, key: string, owned: unknown): void {
  const value = live[key];
  if (isPlainObject(owned) && isPlainObject(value)) {
    for (const [k, v] of Object.entries(owned)) {
      removeOwned(value, k, v);
    }
    if (Object.keys(value).length === 0) {
      delete live[key];
    }
    return;
  }
  delete live[key];
}

import { isPlainObject } from '../api/types';
import type { ListStrategies } from './strategic-merge-patch';

/**
 * Leaf fields of an object as `path → JSON value`, with keyed lists entered by their merge key
 * (`spec.ports[port=80].targetPort`), so two managers can own different items of one list.
 */
export function leafFields(
  value: unknown,
  strategies: ListStrategies,
  path = '',
): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, p: string, listPath: string) => {
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        walk(child, p ? `${p}.${k}` : k, listPath ? `${listPath}.${k}` : k);
      }
      return;
    }
    const key = strategies[listPath]?.key;
    if (Array.isArray(v) && key && v.every((item) => isPlainObject(item))) {
      for (const item of v as Record<string, unknown>[]) {
        const id = `${p}[${key}=${JSON.stringify(item[key])}]`;
        const rest = Object.fromEntries(Object.entries(item).filter(([k]) => k !== key));
        if (Object.keys(rest).length === 0) {
          out.set(id, '{}');
        }
        for (const [k, child] of Object.entries(rest)) {
          walk(child, `${id}.${k}`, `${listPath}.${k}`);
        }
      }
      return;
    }
    out.set(p, JSON.stringify(v));
  };
  walk(value, path, path);
  return out;
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

/**
 * Server-side apply conflicts: fields this intent sets to a different value than another
 * manager's last intent, while the live object still holds that manager's value.
 */
export function applyConflicts(
  intent: unknown,
  live: unknown,
  others: { manager: string; intent: unknown }[],
  strategies: ListStrategies,
): ApplyConflict[] {
  const mine = leafFields(intent, strategies);
  const current = leafFields(live, strategies);
  const conflicts: ApplyConflict[] = [];
  for (const { manager, intent: theirs } of others) {
    for (const [field, value] of leafFields(theirs, strategies)) {
      const wanted = mine.get(field);
      if (wanted !== undefined && wanted !== value && current.get(field) === value) {
        conflicts.push({ manager, field });
      }
    }
  }
  return conflicts;
}

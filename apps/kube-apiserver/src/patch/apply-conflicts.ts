import { isPlainObject } from '../api/types';
import type { ListStrategies } from './strategic-merge-patch';

/** A step into a map field, or into the keyed list item whose `key` has `value`. */
type Step = { field: string } | { key: string; value: unknown };

interface Leaf {
  json: string;
  steps: Step[];
}

/**
 * Leaf fields of an object by path (`spec.ports[port=80].targetPort`): keyed lists are entered by
 * their merge key, so two managers can own different items of one list.
 */
function leaves(value: unknown, strategies: ListStrategies): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const walk = (v: unknown, path: string, listPath: string, steps: Step[]) => {
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        walk(child, path ? `${path}.${k}` : k, listPath ? `${listPath}.${k}` : k, [
          ...steps,
          { field: k },
        ]);
      }
      return;
    }
    const key = strategies[listPath]?.key;
    if (Array.isArray(v) && key && v.every((item) => isPlainObject(item))) {
      for (const item of v as Record<string, unknown>[]) {
        const id = `${path}[${key}=${JSON.stringify(item[key])}]`;
        const itemSteps: Step[] = [...steps, { key, value: item[key] }];
        const rest = Object.entries(item).filter(([k]) => k !== key);
        if (rest.length === 0) {
          out.set(id, { json: '{}', steps: itemSteps });
        }
        for (const [k, child] of rest) {
          walk(child, `${id}.${k}`, `${listPath}.${k}`, [...itemSteps, { field: k }]);
        }
      }
      return;
    }
    out.set(path, { json: JSON.stringify(v), steps });
  };
  walk(value, '', '', []);
  return out;
}

/** Leaf fields as `path → JSON value`. */
export function leafFields(value: unknown, strategies: ListStrategies): Map<string, string> {
  return new Map([...leaves(value, strategies)].map(([path, leaf]) => [path, leaf.json]));
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

/**
 * Takes `fields` away from a manager's intent (a forced apply transfers their ownership), so that
 * manager dropping them later does not remove the new owner's values.
 */
export function withoutFields(
  intent: unknown,
  fields: string[],
  strategies: ListStrategies,
): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(intent));
  const all = leaves(copy, strategies);
  for (const field of fields) {
    const leaf = all.get(field);
    if (leaf) {
      removeAt(copy, leaf.steps);
    }
  }
  return copy;
}

const sameKey = (item: unknown, key: string, value: unknown) =>
  isPlainObject(item) && JSON.stringify(item[key]) === JSON.stringify(value);

function removeAt(root: unknown, steps: Step[]): void {
  let parent: unknown = root;
  for (const step of steps.slice(0, -1)) {
    if ('field' in step) {
      parent = isPlainObject(parent) ? parent[step.field] : undefined;
    } else {
      parent = Array.isArray(parent)
        ? (parent as unknown[]).find((item) => sameKey(item, step.key, step.value))
        : undefined;
    }
  }
  const last = steps[steps.length - 1];
  if (!last) {
    return;
  }
  if ('field' in last) {
    if (isPlainObject(parent)) {
      delete parent[last.field];
    }
  } else if (Array.isArray(parent)) {
    const list = parent as unknown[];
    const i = list.findIndex((item) => sameKey(item, last.key, last.value));
    if (i >= 0) {
      list.splice(i, 1);
    }
  }
}

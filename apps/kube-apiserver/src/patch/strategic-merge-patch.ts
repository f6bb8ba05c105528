import { isPlainObject } from '../object/types';
import { badRequest } from '../errors/kube-error';
import type { ListStrategy } from '../registry/resource-type';

type Json = Record<string, unknown>;
export type ListStrategies = Record<string, ListStrategy>;

const ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/**
 * Strategic merge patch (sig-api-machinery strategic-merge-patch.md): maps merge and `null`
 * deletes; lists with a merge key merge element-wise, primitive merge lists merge as sets, other
 * lists are replaced. Directives: `$patch: replace|delete|merge`, `$setElementOrder/<list>`,
 * `$retainKeys`, `$deleteFromPrimitiveList/<list>`.
 */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  strategies: ListStrategies,
): unknown {
  return mergeMap(isPlainObject(original) ? original : {}, patch, '', strategies);
}

function mergeMap(
  original: Json,
  patch: unknown,
  path: string,
  strategies: ListStrategies,
): Json | undefined {
  if (!isPlainObject(patch)) {
    throw badRequest(`unable to apply strategic merge patch at "${path || '.'}": expected a map`);
  }
  const directive = patch.$patch;
  if (
    directive !== undefined &&
    directive !== 'delete' &&
    directive !== 'replace' &&
    directive !== 'merge'
  ) {
    // apimachinery mergepatch.ErrBadPatchType
    throw badRequest(
      `unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`,
    );
  }
  if (directive === 'delete') {
    return undefined;
  }
  if (directive === 'replace') {
    return stripDirectives(patch) as Json;
  }
  const result: Json = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(ORDER)) {
      continue;
    }
    if (key.startsWith(DELETE_FROM)) {
      const list = key.slice(DELETE_FROM.length);
      const remove = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(result[list])) {
        result[list] = (result[list] as unknown[]).filter((v) => !remove.has(JSON.stringify(v)));
      }
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, childPath, strategies);
    } else if (isPlainObject(value)) {
      const merged = mergeMap(
        isPlainObject(result[key]) ? result[key] : {},
        value,
        childPath,
        strategies,
      );
      if (merged === undefined) {
        delete result[key];
      } else {
        result[key] = merged;
      }
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const key of Object.keys(result)) {
      if (!keep.has(key)) {
        delete result[key];
      }
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(ORDER) && Array.isArray(value)) {
      const list = key.slice(ORDER.length);
      const strategy = strategies[path ? `${path}.${list}` : list];
      if (Array.isArray(result[list])) {
        result[list] = reorder(result[list] as unknown[], value, strategy?.key);
      }
    }
  }
  return result;
}

function mergeList(
  original: unknown,
  patch: unknown[],
  path: string,
  strategies: ListStrategies,
): unknown[] {
  const strategy = strategies[path];
  const base: unknown[] = Array.isArray(original) ? (original as unknown[]) : [];
  if (!strategy || (!strategy.key && !strategy.primitive)) {
    return patch
      .filter((item) => !(isPlainObject(item) && item.$patch !== undefined))
      .map(stripDirectives);
  }
  if (strategy.primitive) {
    const out: unknown[] = [...base];
    const seen = new Set(base.map((v) => JSON.stringify(v)));
    for (const item of patch) {
      if (!seen.has(JSON.stringify(item))) {
        out.push(item);
        seen.add(JSON.stringify(item));
      }
    }
    return out;
  }
  const key = strategy.key as string;
  if (patch.some((item) => isPlainObject(item) && item.$patch === 'replace')) {
    return patch
      .filter((item) => !(isPlainObject(item) && item.$patch === 'replace'))
      .map(stripDirectives);
  }
  const out: unknown[] = [...base];
  for (const item of patch) {
    if (!isPlainObject(item)) {
      throw badRequest(
        `unable to apply strategic merge patch: list "${path}" holds maps keyed by ${key}`,
      );
    }
    const index = out.findIndex(
      (o) => isPlainObject(o) && JSON.stringify(o[key]) === JSON.stringify(item[key]),
    );
    if (item.$patch === 'delete') {
      if (index >= 0) {
        out.splice(index, 1);
      }
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(out[index] as Json, item, path, strategies);
      if (merged === undefined) {
        out.splice(index, 1);
      } else {
        out[index] = merged;
      }
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (v: unknown) => JSON.stringify(key && isPlainObject(v) ? v[key] : v);
  const rank = new Map(order.map((v, i) => [id(v), i]));
  const ordered = list
    .filter((v) => rank.has(id(v)))
    .sort((a, b) => (rank.get(id(a)) ?? 0) - (rank.get(id(b)) ?? 0));
  return [...ordered, ...list.filter((v) => !rank.has(id(v)))];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(stripDirectives);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (!k.startsWith('$')) {
      out[k] = stripDirectives(v);
    }
  }
  return out;
}

import type { Atom, ListAtom, MapAtom, TypeRef } from '../../schema/typed-schema';
import { UNTYPED } from '../../schema/typed-schema';
import { FieldSet } from './field-set';
import { keyElement, serializeElement, type Path, type PathElement } from './path-element';

/**
 * structured-merge-diff's typed operations over JSON values (typed/tofieldset.go, compare.go,
 * merge.go, remove.go): field sets, comparisons, merges and removals that follow the kind's
 * structure — lists merge by their keys, atomic lists and maps are replaced as a whole, untyped
 * values are maps of fields and atomic lists.
 */

type Json = Record<string, unknown>;

export class TypedValueError extends Error {}

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deduced atoms for untyped values (SMD's deduced type): maps descend, lists are atomic. */
function effectiveAtom(type: TypeRef, value: unknown): Atom {
  const atom = type.atom;
  if (atom.kind !== 'untyped') {
    return atom;
  }
  if (isMap(value)) {
    return {
      kind: 'map',
      fields: new Map(),
      elements: UNTYPED,
      atomic: false,
      defaults: new Map(),
    };
  }
  if (Array.isArray(value)) {
    return { kind: 'list', elements: UNTYPED, relationship: 'atomic', keys: [] };
  }
  return { kind: 'scalar' };
}

function fieldType(atom: MapAtom, key: string): TypeRef {
  return atom.fields.get(key) ?? atom.elements ?? UNTYPED;
}

/** The path element of a list item (keyedAssociativeListItemToPathElement & co). */
export function listItemElement(list: ListAtom, item: unknown, index: number): PathElement {
  if (list.relationship === 'atomic') {
    return { index };
  }
  if (list.keys.length > 0) {
    if (!isMap(item)) {
      throw new TypedValueError('associative list with keys may not have non-map elements');
    }
    const element = list.elements.atom;
    const fields: [string, unknown][] = [];
    for (const key of list.keys) {
      if (item[key] !== undefined && item[key] !== null) {
        fields.push([key, item[key]]);
      } else if (element.kind === 'map' && element.defaults.has(key)) {
        fields.push([key, element.defaults.get(key)]);
      } else {
        throw new TypedValueError(
          `associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`,
        );
      }
    }
    return keyElement(fields);
  }
  if (isMap(item) || Array.isArray(item)) {
    throw new TypedValueError('associative list without keys has an element that is a map type');
  }
  return { value: item };
}

// ------------------------------------------------------------------------------------------
// ToFieldSet

export function toFieldSet(value: unknown, type: TypeRef): FieldSet {
  const set = new FieldSet();
  collect(value, type, [], set);
  return set;
}

function collect(value: unknown, type: TypeRef, path: Path, set: FieldSet): void {
  const atom = effectiveAtom(type, value);
  if (atom.kind === 'scalar' || atom.kind === 'untyped') {
    set.insert(path);
    return;
  }
  if (atom.kind === 'list') {
    if (atom.relationship === 'atomic') {
      set.insert(path);
      return;
    }
    if (!Array.isArray(value)) {
      return;
    }
    const seen = new Map<string, number>();
    const elements = value.map((item, i) => listItemElement(atom, item, i));
    for (const pe of elements) {
      const k = serializeElement(pe);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    value.forEach((item, i) => {
      const pe = elements[i];
      const itemPath = [...path, pe];
      if ((seen.get(serializeElement(pe)) ?? 0) > 1) {
        // Duplicated items are owned as a whole.
        set.insert(itemPath);
        return;
      }
      collect(item, atom.elements, itemPath, set);
      set.insert(itemPath);
    });
    return;
  }
  if (atom.atomic) {
    set.insert(path);
    return;
  }
  if (!isMap(value)) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, { field: key }];
    collect(child, fieldType(atom, key), childPath, set);
    if (
      child === null ||
      (isMap(child) && Object.keys(child).length === 0) ||
      !atom.fields.has(key)
    ) {
      set.insert(childPath);
    }
  }
}

// ------------------------------------------------------------------------------------------
// Compare

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

const isEmptyContainer = (v: unknown) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) ? v.length === 0 : isMap(v) && Object.keys(v).length === 0);

/** Deep equality of JSON values (key order ignored). */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => equalJson(v, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equalJson(a[k], b[k]));
  }
  return false;
}

/** What changed from `lhs` to `rhs` (undefined = absent). */
export function compare(lhs: unknown, rhs: unknown, type: TypeRef): Comparison {
  const c: Comparison = {
    added: new FieldSet(),
    removed: new FieldSet(),
    modified: new FieldSet(),
  };
  compareNode(lhs, rhs, type, [], c);
  return c;
}

function compareNode(lhs: unknown, rhs: unknown, type: TypeRef, path: Path, c: Comparison): void {
  const leaf = compareChildren(lhs, rhs, type, path, c);
  if (!leaf) {
    if (lhs === undefined) {
      c.added.insert(path);
    } else if (rhs === undefined) {
      c.removed.insert(path);
    }
  }
}

/** Returns true when the node was handled as a leaf. */
function compareChildren(
  lhs: unknown,
  rhs: unknown,
  type: TypeRef,
  path: Path,
  c: Comparison,
): boolean {
  const leaf = () => {
    if (lhs === undefined) {
      c.added.insert(path);
    } else if (rhs === undefined) {
      c.removed.insert(path);
    } else if (!equalJson(lhs, rhs)) {
      c.modified.insert(path);
    }
    return true;
  };
  const atom = effectiveAtom(type, rhs !== undefined && rhs !== null ? rhs : lhs);
  if (atom.kind === 'scalar' || atom.kind === 'untyped') {
    return leaf();
  }
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : undefined;
    const r = Array.isArray(rhs) ? rhs : undefined;
    if (atom.relationship === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r))) {
      return leaf();
    }
    compareListItems(atom, l ?? [], r ?? [], path, c, lhs !== undefined, rhs !== undefined);
    return false;
  }
  const l = isMap(lhs) ? lhs : undefined;
  const r = isMap(rhs) ? rhs : undefined;
  if (atom.atomic || (isEmptyContainer(l) && isEmptyContainer(r))) {
    return leaf();
  }
  const keys = new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})]);
  for (const key of keys) {
    compareNode(l?.[key], r?.[key], fieldType(atom, key), [...path, { field: key }], c);
  }
  return false;
}

function compareListItems(
  atom: ListAtom,
  lhs: unknown[],
  rhs: unknown[],
  path: Path,
  c: Comparison,
  _lhsPresent: boolean,
  _rhsPresent: boolean,
): void {
  const index = (items: unknown[]) => {
    const byKey = new Map<string, { pe: PathElement; items: unknown[] }>();
    const order: string[] = [];
    items.forEach((item, i) => {
      const pe = listItemElement(atom, item, i);
      const k = serializeElement(pe);
      const entry = byKey.get(k);
      if (entry) {
        entry.items.push(item);
      } else {
        byKey.set(k, { pe, items: [item] });
        order.push(k);
      }
    });
    return { byKey, order };
  };
  const l = index(lhs);
  const r = index(rhs);
  const all = [...l.order, ...r.order.filter((k) => !l.byKey.has(k))];
  for (const k of all) {
    const left = l.byKey.get(k);
    const right = r.byKey.get(k);
    const pe = (left ?? right)!.pe;
    const itemPath = [...path, pe];
    const ln = left?.items.length ?? 0;
    const rn = right?.items.length ?? 0;
    if (ln <= 1 && rn <= 1) {
      compareNode(left?.items[0], right?.items[0], atom.elements, itemPath, c);
    } else if (ln >= 2 && rn >= 2) {
      if (!equalJson(left?.items, right?.items)) {
        c.modified.insert(itemPath);
      }
    } else if (ln >= 2) {
      if (rn !== 0) {
        compareNode(undefined, right?.items[0], atom.elements, itemPath, c);
      }
      c.removed.insert(itemPath);
    } else {
      if (ln !== 0) {
        compareNode(left?.items[0], undefined, atom.elements, itemPath, c);
      }
      c.added.insert(itemPath);
    }
  }
}

// ------------------------------------------------------------------------------------------
// Merge (typed.Merge with "keep rhs" for leaves)

export function merge(lhs: unknown, rhs: unknown, type: TypeRef): unknown {
  if (rhs === undefined) {
    return lhs;
  }
  if (lhs === undefined) {
    return rhs;
  }
  const atom = effectiveAtom(type, rhs !== null ? rhs : lhs);
  if (atom.kind === 'scalar' || atom.kind === 'untyped') {
    return rhs;
  }
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : [];
    const r = Array.isArray(rhs) ? rhs : [];
    if (atom.relationship === 'atomic' || (l.length === 0 && r.length === 0)) {
      return rhs;
    }
    return mergeList(atom, l, r);
  }
  const l = isMap(lhs) ? lhs : {};
  const r = isMap(rhs) ? rhs : {};
  if (atom.atomic || (Object.keys(l).length === 0 && Object.keys(r).length === 0)) {
    return rhs;
  }
  const out: Json = {};
  for (const key of new Set([...Object.keys(l), ...Object.keys(r)])) {
    const merged = merge(l[key], r[key], fieldType(atom, key));
    if (merged !== undefined) {
      out[key] = merged;
    }
  }
  return out;
}

/** Merges associative lists in SMD's order (merge.go visitListItems). */
function mergeList(atom: ListAtom, lhs: unknown[], rhs: unknown[]): unknown[] {
  const indexed = (items: unknown[]) => {
    const pes: string[] = [];
    const observed = new Map<string, unknown>();
    items.forEach((item, i) => {
      const k = serializeElement(listItemElement(atom, item, i));
      if (!observed.has(k)) {
        observed.set(k, item);
        pes.push(k);
      }
    });
    return { pes, observed };
  };
  const r = indexed(rhs);
  const l = indexed(lhs);
  const sharedOrder = r.pes.filter((k) => l.observed.has(k));
  let nextShared = sharedOrder.shift();
  const mergedRhs = new Set<string>();
  const out: unknown[] = [];
  const push = (v: unknown) => {
    if (v !== undefined) {
      out.push(v);
    }
  };
  let li = 0;
  let ri = 0;
  while (li < l.pes.length || ri < r.pes.length) {
    if (li < l.pes.length && ri < r.pes.length) {
      const pe = l.pes[li];
      if (pe === r.pes[ri]) {
        mergedRhs.add(pe);
        push(merge(l.observed.get(pe), r.observed.get(pe), atom.elements));
        li++;
        ri++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (r.observed.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < l.pes.length) {
      const pe = l.pes[li];
      if (!r.observed.has(pe)) {
        push(l.observed.get(pe));
        li++;
        continue;
      }
      if (mergedRhs.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < r.pes.length) {
      const pe = r.pes[ri];
      mergedRhs.add(pe);
      push(merge(l.observed.get(pe), r.observed.get(pe), atom.elements));
      ri++;
      if (nextShared !== undefined && nextShared === pe) {
        nextShared = sharedOrder.shift();
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// RemoveItems

/** `value` without the paths in `remove` (typed.RemoveItems); emptied containers disappear. */
export function removeItems(value: unknown, remove: FieldSet, type: TypeRef): unknown {
  const atom = effectiveAtom(type, value);
  if (atom.kind === 'list') {
    if (!Array.isArray(value) || value.length === 0 || atom.relationship === 'atomic') {
      return value;
    }
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const pe = listItemElement(atom, item, i);
      if (remove.has([pe])) {
        return;
      }
      const subset = remove.withPrefix(pe);
      out.push(subset.isEmpty() ? item : removeItems(item, subset, atom.elements));
    });
    return out.length > 0 ? out : undefined;
  }
  if (atom.kind !== 'map' || !isMap(value) || atom.atomic) {
    return value;
  }
  if (Object.keys(value).length === 0) {
    return value;
  }
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    const pe: PathElement = { field: key };
    if (remove.has([pe])) {
      continue;
    }
    const subset = remove.withPrefix(pe);
    const kept = subset.isEmpty() ? child : removeItems(child, subset, fieldType(atom, key));
    if (kept !== undefined) {
      out[key] = kept;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

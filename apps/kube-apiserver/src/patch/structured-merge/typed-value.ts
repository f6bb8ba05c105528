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

/**
 * What changed from `lhs` to `rhs` (undefined = absent). `skipTop` leaves out top-level fields
 * whose changes are ignored anyway (reset fields), which keeps status writes cheap.
 */
export function compare(
  lhs: unknown,
  rhs: unknown,
  type: TypeRef,
  skipTop?: (field: string) => boolean,
): Comparison {
  const c: Comparison = {
    added: new FieldSet(),
    removed: new FieldSet(),
    modified: new FieldSet(),
  };
  new Comparer(c, skipTop).node(lhs, rhs, type);
  return c;
}

/** The compare walk with one mutable path (copied only when a change is recorded). */
class Comparer {
  private readonly path: PathElement[] = [];

  constructor(
    private readonly c: Comparison,
    private readonly skipTop?: (field: string) => boolean,
  ) {}

  node(lhs: unknown, rhs: unknown, type: TypeRef): void {
    if (lhs !== undefined && rhs !== undefined && equalJson(lhs, rhs)) {
      // Nothing below changed (a whole unchanged subtree costs one comparison).
      return;
    }
    if (!this.children(lhs, rhs, type)) {
      if (lhs === undefined) {
        this.c.added.insert([...this.path]);
      } else if (rhs === undefined) {
        this.c.removed.insert([...this.path]);
      }
    }
  }

  private leaf(lhs: unknown, rhs: unknown): true {
    if (lhs === undefined) {
      this.c.added.insert([...this.path]);
    } else if (rhs === undefined) {
      this.c.removed.insert([...this.path]);
    } else if (!equalJson(lhs, rhs)) {
      this.c.modified.insert([...this.path]);
    }
    return true;
  }

  /** Returns true when the node was handled as a leaf. */
  private children(lhs: unknown, rhs: unknown, type: TypeRef): boolean {
    const atom = effectiveAtom(type, rhs !== undefined && rhs !== null ? rhs : lhs);
    if (atom.kind === 'scalar' || atom.kind === 'untyped') {
      return this.leaf(lhs, rhs);
    }
    if (atom.kind === 'list') {
      const l = Array.isArray(lhs) ? lhs : undefined;
      const r = Array.isArray(rhs) ? rhs : undefined;
      if (atom.relationship === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r))) {
        return this.leaf(lhs, rhs);
      }
      this.listItems(atom, l ?? [], r ?? []);
      return false;
    }
    const l = isMap(lhs) ? lhs : undefined;
    const r = isMap(rhs) ? rhs : undefined;
    if (atom.atomic || (isEmptyContainer(l) && isEmptyContainer(r))) {
      return this.leaf(lhs, rhs);
    }
    const top = this.path.length === 0;
    const visit = (key: string) => {
      if (top && this.skipTop?.(key)) {
        return;
      }
      this.path.push({ field: key });
      this.node(l?.[key], r?.[key], fieldType(atom, key));
      this.path.pop();
    };
    for (const key in l) {
      visit(key);
    }
    for (const key in r) {
      if (!l || !(key in l)) {
        visit(key);
      }
    }
    return false;
  }

  private listItems(atom: ListAtom, lhs: unknown[], rhs: unknown[]): void {
    const index = (items: unknown[]) => {
      const byKey = new Map<string, { pe: PathElement; items: unknown[] }>();
      items.forEach((item, i) => {
        const pe = listItemElement(atom, item, i);
        const k = serializeElement(pe);
        const entry = byKey.get(k);
        if (entry) {
          entry.items.push(item);
        } else {
          byKey.set(k, { pe, items: [item] });
        }
      });
      return byKey;
    };
    const l = index(lhs);
    const r = index(rhs);
    const visit = (k: string) => {
      const left = l.get(k);
      const right = r.get(k);
      const pe = (left ?? right)!.pe;
      const ln = left?.items.length ?? 0;
      const rn = right?.items.length ?? 0;
      this.path.push(pe);
      if (ln <= 1 && rn <= 1) {
        this.node(left?.items[0], right?.items[0], atom.elements);
      } else if (ln >= 2 && rn >= 2) {
        if (!equalJson(left?.items, right?.items)) {
          this.c.modified.insert([...this.path]);
        }
      } else if (ln >= 2) {
        if (rn !== 0) {
          this.node(undefined, right?.items[0], atom.elements);
        }
        this.c.removed.insert([...this.path]);
      } else {
        if (ln !== 0) {
          this.node(left?.items[0], undefined, atom.elements);
        }
        this.c.added.insert([...this.path]);
      }
      this.path.pop();
    };
    for (const k of l.keys()) {
      visit(k);
    }
    for (const k of r.keys()) {
      if (!l.has(k)) {
        visit(k);
      }
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

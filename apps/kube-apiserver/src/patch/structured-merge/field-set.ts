import type { Atom, TypeRef } from '../../schema/typed-schema';
import {
  compareElements,
  parseElement,
  serializeElement,
  type Path,
  type PathElement,
} from './path-element';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/**
 * A set of field paths as a trie (fieldpath.Set): `members` are the paths that end at this node,
 * `children` the subsets below a path element. Operations return new sets, which share the
 * subtrees they leave unchanged (a set is never changed once built), so a union or difference
 * allocates only along the paths it touches.
 */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) {
      set.insert(path);
    }
    return set;
  }

  insert(path: Path): void {
    if (path.length === 0) {
      return;
    }
    const node = path.slice(0, -1).reduce<FieldSet>((n, pe) => n.child(pe), this);
    const last = path[path.length - 1];
    node.members.set(serializeElement(last), last);
  }

  has(path: Path): boolean {
    if (path.length === 0) {
      return false;
    }
    const parent = path
      .slice(0, -1)
      .reduce<FieldSet | undefined>((n, pe) => n?.children.get(serializeElement(pe))?.set, this);
    return parent?.members.has(serializeElement(path[path.length - 1])) ?? false;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) {
      return false;
    }
    for (const { set } of this.children.values()) {
      if (!set.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The subset below one path element (empty when none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializeElement(pe))?.set ?? new FieldSet();
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of other.members) {
      out.members.set(k, pe);
    }
    for (const [k, { pe, set }] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, mine ? { pe, set: mine.set.union(set) } : { pe, set });
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (!other.members.has(k)) {
        out.members.set(k, pe);
      }
    }
    for (const [k, { pe, set }] of this.children) {
      const theirs = other.children.get(k);
      const diff = theirs ? set.difference(theirs.set) : set;
      if (!diff.isEmpty()) {
        out.children.set(k, { pe, set: diff });
      }
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (other.members.has(k)) {
        out.members.set(k, pe);
      }
    }
    for (const [k, { pe, set }] of this.children) {
      const theirs = other.children.get(k);
      if (theirs) {
        const both = set.intersection(theirs.set);
        if (!both.isEmpty()) {
          out.children.set(k, { pe, set: both });
        }
      }
    }
    return out;
  }

  /** Every path in the set, in FieldsV1 order. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const key of this.sortedKeys()) {
      const member = this.members.get(key);
      if (member) {
        out.push([...prefix, member]);
      }
      const child = this.children.get(key);
      if (child) {
        out.push(...child.set.paths([...prefix, child.pe]));
      }
    }
    return out;
  }

  /** Removes paths whose first element `keep` rejects (the reset-fields filters). */
  filterTop(keep: (pe: PathElement) => boolean): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (keep(pe)) {
        out.members.set(k, pe);
      }
    }
    for (const [k, child] of this.children) {
      if (keep(child.pe)) {
        out.children.set(k, child);
      }
    }
    return out;
  }

  /**
   * Adds the named struct fields that lead to members as members themselves, so removing the set
   * removes whole struct fields (fieldpath.Set.EnsureNamedFieldsAreMembers).
   */
  ensureNamedFieldsAreMembers(type: TypeRef | undefined): FieldSet {
    const atom: Atom | undefined = type?.atom;
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      out.members.set(k, pe);
    }
    for (const [k, { pe, set }] of this.children) {
      let childType: TypeRef | undefined;
      if ('field' in pe && atom?.kind === 'map') {
        childType = atom.fields.get(pe.field) ?? atom.elements;
        if (atom.fields.has(pe.field)) {
          out.members.set(k, pe);
        }
      } else if ('key' in pe && atom?.kind === 'list') {
        childType = atom.elements;
      }
      out.children.set(k, { pe, set: set.ensureNamedFieldsAreMembers(childType) });
    }
    return out;
  }

  /** The FieldsV1 JSON form (fieldpath/serialize.go). */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      return set;
    }
    for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
      if (key === '.') {
        continue;
      }
      const pe = parseElement(key);
      const nested =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      const entries = Object.keys(nested);
      if (entries.length === 0 || entries.includes('.')) {
        set.members.set(key, pe);
      }
      if (entries.some((e) => e !== '.')) {
        set.children.set(key, { pe, set: FieldSet.fromFieldsV1(nested) });
      }
    }
    return set;
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.size > 0 || this.children.size > 0)) {
      out['.'] = {};
    }
    for (const key of this.sortedKeys()) {
      const child = this.children.get(key);
      out[key] = child ? child.set.emit(this.members.has(key)) : {};
    }
    return out;
  }

  private sortedKeys(): string[] {
    const all = new Map<string, PathElement>(this.members);
    for (const [k, { pe }] of this.children) {
      all.set(k, pe);
    }
    return [...all.entries()].sort(([, a], [, b]) => compareElements(a, b)).map(([k]) => k);
  }

  private child(pe: PathElement): FieldSet {
    const key = serializeElement(pe);
    let node = this.children.get(key);
    if (!node) {
      node = { pe, set: new FieldSet() };
      this.children.set(key, node);
    }
    return node.set;
  }

  /** This node's copy, its subtrees shared. */
  private copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      out.members.set(k, pe);
    }
    for (const [k, child] of this.children) {
      out.children.set(k, child);
    }
    return out;
  }
}

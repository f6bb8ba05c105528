import type { TypeRef } from '../../schema/typed-schema';
import { FieldSet } from './field-set';
import type { Path } from './path-element';
import { compare, equalJson, merge, removeItems, toFieldSet, type Comparison } from './typed-value';

/** What one manager owns (fieldpath.VersionedSet). */
export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  /** Owned through Apply (true) or Update. */
  applied: boolean;
}

/** Manager identifier (JSON, see managed-fields) → what it owns. */
export type ManagedSets = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

/** merge.Conflicts: fields another manager owns that an apply would change. */
export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
  }
}

/** Paths the operation must not own (the strategy's reset fields, e.g. status on the main resource). */
export type IgnoreFilter = (set: FieldSet) => FieldSet;

const identity: IgnoreFilter = (s) => s;

function filterComparison(c: Comparison, filter: IgnoreFilter): Comparison {
  return { added: filter(c.added), removed: filter(c.removed), modified: filter(c.modified) };
}

/**
 * merge.Updater for one version (Nimbus serves each kind in one version): ownership moves to the
 * manager that changes a field, removed fields leave every owner, and appliers conflict with
 * other owners unless forced.
 */
export class Updater {
  constructor(
    private readonly type: TypeRef,
    private readonly ignore: IgnoreFilter = identity,
    /** Top-level fields the ignore filter drops entirely: not even compared. */
    private readonly skipTop?: (field: string) => boolean,
  ) {}

  private update(
    oldObject: unknown,
    newObject: unknown,
    managers: ManagedSets,
    workflow: string,
    force: boolean,
  ): { managers: ManagedSets; comparison: Comparison } {
    const comparison = filterComparison(
      compare(oldObject, newObject, this.type, this.skipTop),
      this.ignore,
    );
    const changed = comparison.modified.union(comparison.added);
    const conflicts = new Map<string, FieldSet>();
    const out: ManagedSets = new Map(managers);
    for (const [manager, owned] of managers) {
      if (manager === workflow) {
        continue;
      }
      const conflict = owned.set.intersection(changed);
      if (!conflict.isEmpty()) {
        conflicts.set(manager, conflict);
      }
    }
    if (!force && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const [manager, set] of conflicts) {
        for (const path of set.paths()) {
          list.push({ manager, path });
        }
      }
      throw new ConflictsError(list);
    }
    for (const [manager, owned] of managers) {
      if (manager === workflow) {
        continue;
      }
      let set = owned.set;
      const conflict = conflicts.get(manager);
      if (conflict) {
        set = set.difference(conflict);
      }
      if (!comparison.removed.isEmpty()) {
        set = set.difference(comparison.removed);
      }
      out.set(manager, { ...owned, set });
    }
    for (const [manager, owned] of out) {
      if (owned.set.isEmpty()) {
        out.delete(manager);
      }
    }
    return { managers: out, comparison };
  }

  /** A non-apply write: `manager` gains what it changed. Never conflicts. */
  updateManagers(
    liveObject: unknown,
    newObject: unknown,
    apiVersion: string,
    managers: ManagedSets,
    manager: string,
  ): ManagedSets {
    const { managers: out, comparison } = this.update(
      liveObject,
      newObject,
      managers,
      manager,
      true,
    );
    const previous = out.get(manager)?.set ?? new FieldSet();
    const set = this.ignore(
      previous.difference(comparison.removed).union(comparison.modified).union(comparison.added),
    );
    if (set.isEmpty()) {
      out.delete(manager);
    } else {
      out.set(manager, { set, apiVersion, applied: false });
    }
    return out;
  }

  /**
   * An apply: the configuration is merged into the live object, fields the manager applied last
   * time but not now are pruned unless someone else owns them, and other owners of changed
   * fields conflict unless `force`. Returns undefined as the object when nothing changed.
   */
  apply(
    liveObject: unknown,
    config: unknown,
    apiVersion: string,
    managers: ManagedSets,
    manager: string,
    force: boolean,
  ): { object: unknown; managers: ManagedSets } {
    let newObject = merge(liveObject, config, this.type);
    const lastSet = managers.get(manager);
    const set = this.ignore(toFieldSet(config, this.type));
    const withApplier: ManagedSets = new Map(managers);
    withApplier.set(manager, { set, apiVersion, applied: true });
    newObject = this.prune(newObject, withApplier, manager, lastSet);
    const { managers: out } = this.update(liveObject, newObject, withApplier, manager, force);
    const unchanged = equalJson(liveObject, newObject);
    return { object: unchanged ? undefined : newObject, managers: out };
  }

  private prune(
    merged: unknown,
    managers: ManagedSets,
    applyingManager: string,
    lastSet: VersionedSet | undefined,
  ): unknown {
    if (!lastSet || lastSet.set.isEmpty()) {
      return merged;
    }
    const type = this.type;
    let pruned = removeItems(merged, lastSet.set.ensureNamedFieldsAreMembers(type), type);
    // Add back what anyone (the applier's new set included) owns.
    let owned = new FieldSet();
    for (const [, v] of managers) {
      owned = owned.union(v.set);
    }
    const mergedSet = toFieldSet(merged, type).ensureNamedFieldsAreMembers(type);
    const prunedSet = toFieldSet(pruned, type).ensureNamedFieldsAreMembers(type);
    pruned = removeItems(
      merged,
      mergedSet.difference(prunedSet.union(owned.ensureNamedFieldsAreMembers(type))),
      type,
    );
    // Add back items that are gone only because their parent went (dangling items).
    const prunedAgain = toFieldSet(pruned, type).ensureNamedFieldsAreMembers(type);
    const last = lastSet.set.ensureNamedFieldsAreMembers(type);
    void applyingManager;
    return removeItems(merged, mergedSet.difference(prunedAgain).intersection(last), type);
  }
}

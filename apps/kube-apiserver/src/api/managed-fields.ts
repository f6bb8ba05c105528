import { KubeError, badRequest, internalError } from '../errors/kube-error';
import { FieldSet } from '../patch/structured-merge/field-set';
import { pathString } from '../patch/structured-merge/path-element';
import { compare, toFieldSet, TypedValueError } from '../patch/structured-merge/typed-value';
import {
  ConflictsError,
  Updater,
  type Conflict,
  type IgnoreFilter,
  type ManagedSets,
} from '../patch/structured-merge/updater';
import type { TypeRef } from '../schema/typed-schema';
import { strictCheckValue } from '../schema/strict-json';
import { normalizeTimeString } from '../time/kube-time';
import { cloneJson, isPlainObject, type KubeObject } from '../object/types';

/**
 * metadata.managedFields as the apiserver's field manager maintains them
 * (apimachinery/pkg/util/managedfields/internal): every write records what its manager changed
 * (`Update`) or applied (`Apply`), in FieldsV1; server-side apply merges, prunes and reports
 * conflicts from them. The decorator chain of upstream's NewDefaultFieldManager is kept:
 * version check, last-applied updater and manager (kubectl's client-side → server-side apply
 * migration), skip-non-applied, cap of 10 update managers, manager identity, timestamps, and
 * stripping of the metadata fields nobody owns.
 */

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

interface Managed {
  fields: ManagedSets;
  times: Map<string, string | undefined>;
  /** The decoded entries: reused as they are when their manager's set and time did not change. */
  original: Map<string, { entry: ManagedFieldsEntry; set: FieldSet; time?: string }>;
}

const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map(), original: new Map() });

/** Decoded field sets of stored entries (stored objects are never mutated, so identity is enough). */
const decodedSets = new WeakMap<object, FieldSet>();

const MAX_UPDATE_MANAGERS = 10;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Owned by nobody: written by the server or identifying the object (stripmeta.go). */
const STRIPPED = FieldSet.of([
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f) => [{ field: 'metadata' }, { field: f }]),
]);

/** BuildManagerIdentifier: the entry without fields and time (and apiVersion for appliers), as JSON. */
export function managerIdentifier(entry: ManagedFieldsEntry): string {
  const id: ManagedFieldsEntry = { manager: entry.manager, operation: entry.operation };
  if (entry.operation !== 'Apply' && entry.apiVersion) {
    id.apiVersion = entry.apiVersion;
  }
  if (entry.subresource) {
    id.subresource = entry.subresource;
  }
  return JSON.stringify(id);
}

function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) {
    return managed;
  }
  if (!Array.isArray(entries)) {
    throw new Error('managedFields must be a list');
  }
  entries.forEach((raw, i) => {
    const entry = (isPlainObject(raw) ? raw : {}) as ManagedFieldsEntry;
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') {
      throw new Error('operation must be `Apply` or `Update`');
    }
    if (!entry.apiVersion) {
      throw new Error('apiVersion must not be empty');
    }
    if (entry.fieldsType !== 'FieldsV1') {
      throw new Error(
        entry.fieldsType
          ? `invalid fieldsType "${entry.fieldsType}" in managed fields entry ${i}`
          : `missing fieldsType in managed fields entry ${i}`,
      );
    }
    const id = managerIdentifier(entry);
    let set = decodedSets.get(entry);
    if (!set) {
      set = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
      decodedSets.set(entry, set);
    }
    managed.fields.set(id, {
      set,
      apiVersion: entry.apiVersion,
      applied: entry.operation === 'Apply',
    });
    // Clients re-encode times (client-node writes milliseconds): keep metav1.Time's form.
    const time = entry.time ? normalizeTimeString(entry.time, false) : undefined;
    managed.times.set(id, time);
    managed.original.set(id, { entry, set, time });
  });
  return managed;
}

function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) {
    return undefined;
  }
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, owned] of managed.fields) {
    const time = managed.times.get(id);
    const original = managed.original.get(id);
    if (
      original &&
      original.set === owned.set &&
      original.time === time &&
      original.entry.time === time
    ) {
      entries.push(original.entry);
      continue;
    }
    const base = JSON.parse(id) as ManagedFieldsEntry;
    entries.push({
      manager: base.manager,
      operation: owned.applied ? 'Apply' : 'Update',
      apiVersion: owned.apiVersion,
      ...(time ? { time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: owned.set.toFieldsV1(),
      ...(base.subresource ? { subresource: base.subresource } : {}),
    });
  }
  if (entries.length === 1) {
    return entries;
  }
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  // metav1.Time strings are RFC 3339 in UTC with whole seconds: they sort as text.
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      cmp(p.time, q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** printManager of conflict messages: `"kubectl-client-side-apply" using v1`. */
function printManager(id: string): string {
  let entry: ManagedFieldsEntry;
  try {
    entry = JSON.parse(id) as ManagedFieldsEntry;
  } catch {
    return JSON.stringify(id);
  }
  let text = JSON.stringify(entry.manager ?? '');
  if (entry.subresource) {
    text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  }
  if (entry.operation === 'Update') {
    text += ` using ${entry.apiVersion ?? ''}`;
  }
  return text;
}

/** 409 Conflict with FieldManagerConflict causes (internal/conflict.go). */
export function conflictError(conflicts: Conflict[]): KubeError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager) ?? []) {
        lines.push(`- ${path}`);
      }
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new KubeError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.manager)}`,
      field: pathString(c.path),
    })),
  });
}

export interface FieldManagerOptions {
  group: string;
  version: string;
  kind: string;
  /** The kind's structure; without one (no schema) values are untyped. */
  type: TypeRef;
  subresource?: string;
  /** What this endpoint's writes never own (reset fields). */
  ignore: IgnoreFilter;
  /** The top-level fields `ignore` drops (skipped when comparing). */
  ignoredTop?: (field: string) => boolean;
  /** Go's zero value of the kind: the live object of a create. */
  zero: () => KubeObject;
  /** Current time as metav1.Time. */
  now: () => string;
}

/** One (kind, subresource) field manager. */
export class FieldManager {
  private readonly updater: Updater;
  private readonly apiVersion: string;

  constructor(private readonly o: FieldManagerOptions) {
    this.updater = new Updater(o.type, o.ignore, o.ignoredTop);
    this.apiVersion = o.group ? `${o.group}/${o.version}` : o.version;
  }

  /**
   * Records a non-apply write (create when `live` is undefined) in `next.metadata.managedFields`
   * (FieldManager.UpdateNoErrors: a failure drops the managed fields, never the write).
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string): void {
    let managed: Managed;
    try {
      managed = this.decodeLiveOrNew(live, next);
    } catch {
      delete next.metadata.managedFields;
      return;
    }
    delete next.metadata.managedFields;
    // skipNonAppliedManager: objects that never had managed fields are not tracked on update.
    if (managed.fields.size === 0 && live?.metadata.uid) {
      return;
    }
    try {
      this.recordUpdate(live ?? this.o.zero(), next, managed, manager || 'unknown');
      const encoded = encodeManagedFields(managed);
      if (encoded) {
        next.metadata.managedFields = encoded;
      }
    } catch (error) {
      if (!(error instanceof TypedValueError)) {
        throw error;
      }
      delete next.metadata.managedFields;
    }
  }

  /**
   * A server-side apply of `config` onto `live` (the zero object for a create). Returns the new
   * object with its managed fields; throws 409 on conflicts unless `force`.
   */
  apply(
    live: KubeObject | undefined,
    config: Record<string, unknown>,
    manager: string,
    force: boolean,
  ): KubeObject {
    const base = live ? cloneJson(live) : this.o.zero();
    let managed: Managed;
    try {
      managed = decodeManagedFields(base.metadata?.managedFields);
    } catch (error) {
      throw internalError(`failed to decode managed fields: ${(error as Error).message}`);
    }
    const kind = typeof config.kind === 'string' ? config.kind : '';
    const apiVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
    if (apiVersion !== this.apiVersion || kind !== this.o.kind) {
      const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
      throw badRequest(`invalid object type: ${gv}, Kind=${kind}`);
    }
    const meta = isPlainObject(config.metadata) ? config.metadata : {};
    if (meta.managedFields !== undefined && meta.managedFields !== null) {
      throw badRequest('metadata.managedFields must be nil');
    }
    const typedConfig = this.typedConfig(config);
    const liveValue = withoutManagedFields(base);
    if (managed.fields.size === 0) {
      // skipNonAppliedManager: whatever exists now belongs to "before-first-apply".
      this.recordUpdate(this.o.zero(), liveValue, managed, 'before-first-apply');
    }
    const id = managerIdentifier({ manager, operation: 'Apply', subresource: this.o.subresource });
    const applyWith = (forced: boolean) =>
      this.updater.apply(liveValue, typedConfig, this.apiVersion, managed.fields, id, forced);
    let result: { object: unknown; managers: ManagedSets };
    try {
      result = applyWith(force);
    } catch (error) {
      if (!(error instanceof ConflictsError)) {
        throw error;
      }
      // lastAppliedManager: kubectl's own client-side-applied values may be taken over.
      const remaining =
        manager === 'kubectl'
          ? this.notAllowedByLastApplied(error.conflicts, base)
          : error.conflicts;
      if (remaining.length > 0) {
        throw conflictError(remaining);
      }
      result = applyWith(true);
    }
    managed.fields = result.managers;
    this.stripMeta(managed, id);
    const object = dropNulls(result.object === undefined ? liveValue : result.object) as KubeObject;
    if (result.object !== undefined) {
      managed.times.set(id, this.o.now());
    }
    if (manager === 'kubectl' && object.metadata?.annotations?.[LAST_APPLIED]) {
      object.metadata.annotations[LAST_APPLIED] = lastAppliedOf(config);
    }
    const encoded = encodeManagedFields(managed);
    if (encoded) {
      object.metadata.managedFields = encoded;
    } else {
      delete object.metadata.managedFields;
    }
    return object;
  }

  private decodeLiveOrNew(live: KubeObject | undefined, next: KubeObject): Managed {
    const fromLive = () => {
      try {
        return decodeManagedFields(live?.metadata.managedFields);
      } catch {
        return emptyManaged();
      }
    };
    if (this.o.subresource) {
      return fromLive();
    }
    const requested = next.metadata.managedFields;
    if (
      Array.isArray(requested) &&
      (requested.length === 0 || (requested.length === 1 && isEmptyEntry(requested[0])))
    ) {
      return emptyManaged();
    }
    try {
      const managed = decodeManagedFields(requested);
      return managed.fields.size > 0 ? managed : fromLive();
    } catch {
      return fromLive();
    }
  }

  /** managedFieldsUpdater + stripMeta + structured merge for an Update operation. */
  private recordUpdate(
    live: KubeObject,
    next: KubeObject,
    managed: Managed,
    manager: string,
  ): void {
    const id = managerIdentifier({
      manager,
      operation: 'Update',
      apiVersion: this.apiVersion,
      subresource: this.o.subresource,
    });
    const current = 'current-operation';
    const fields = this.updater.updateManagers(
      withoutManagedFields(live),
      withoutManagedFields(next),
      this.apiVersion,
      managed.fields,
      current,
    );
    managed.fields = fields;
    this.stripMeta(managed, current);
    const mine = fields.get(current);
    if (mine) {
      fields.delete(current);
      const previous = fields.get(id);
      fields.set(id, {
        set: previous ? mine.set.union(previous.set) : mine.set,
        apiVersion: mine.apiVersion,
        applied: false,
      });
      managed.times.set(id, this.o.now());
    }
    capUpdateManagers(managed);
  }

  private stripMeta(managed: Managed, id: string): void {
    const owned = managed.fields.get(id);
    if (!owned) {
      return;
    }
    const set = owned.set.difference(STRIPPED);
    if (set.isEmpty()) {
      managed.fields.delete(id);
    } else {
      managed.fields.set(id, { ...owned, set });
    }
  }

  /**
   * The applied configuration as a typed value: fields the kind does not declare fail the
   * apply, as upstream's typed conversion does.
   */
  private typedConfig(config: Record<string, unknown>): unknown {
    const meta = (isPlainObject(config.metadata) ? config.metadata : {}) as Record<string, unknown>;
    const gv = this.apiVersion.includes('/') ? this.apiVersion : `/${this.apiVersion}`;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const where = `${text(meta.namespace)}/${text(meta.name)}; ${gv}, Kind=${this.o.kind}`;
    const fail = (messages: string[]) =>
      badRequest(
        `failed to create typed patch object (${where}): ${
          messages.length === 1
            ? messages[0]
            : ['errors:', ...messages.map((m) => `  ${m}`)].join('\n')
        }`,
      );
    let checked;
    try {
      checked = strictCheckValue(config, this.o.type);
    } catch (error) {
      throw fail([(error as Error).message]);
    }
    const unknown = checked.strictErrors
      .filter((e) => e.startsWith('unknown field '))
      .map(
        (e) =>
          `.${JSON.parse(e.slice('unknown field '.length)) as string}: field not declared in schema`,
      );
    if (unknown.length > 0) {
      throw fail(unknown);
    }
    try {
      toFieldSet(config, this.o.type);
    } catch (error) {
      if (error instanceof TypedValueError) {
        throw fail([error.message]);
      }
      throw error;
    }
    return config;
  }

  /** The conflicts kubectl's last-applied configuration does not already settle. */
  private notAllowedByLastApplied(conflicts: Conflict[], live: KubeObject): Conflict[] {
    const text = live.metadata?.annotations?.[LAST_APPLIED];
    let lastApplied: unknown;
    try {
      lastApplied = text ? JSON.parse(text) : undefined;
    } catch {
      lastApplied = undefined;
    }
    if (!isPlainObject(lastApplied) || lastApplied.apiVersion !== this.apiVersion) {
      return conflicts;
    }
    const liveValue = withoutManagedFields(live);
    const changed = compare(lastApplied, liveValue, this.o.type);
    const allowed = toFieldSet(lastApplied, this.o.type)
      .difference(changed.modified)
      .difference(changed.added)
      .difference(changed.removed);
    return conflicts.filter((c) => !allowed.has(c.path));
  }
}

/** Null fields of a merged object are unset fields (Go's typed objects have no nulls to keep). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(dropNulls);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) {
        out[k] = dropNulls(v);
      }
    }
    return out;
  }
  return value;
}

function isEmptyEntry(entry: unknown): boolean {
  return isPlainObject(entry) && Object.keys(entry).length === 0;
}

/** A shallow view without metadata.managedFields (the typed walks never mutate their input). */
function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!isPlainObject(obj.metadata) || obj.metadata.managedFields === undefined) {
    return obj;
  }
  const { managedFields: _omit, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** capManagersManager: beyond 10 update managers, the oldest merge into "ancient-changes". */
function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.fields.entries()].filter(([, v]) => !v.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) {
    return;
  }
  const seconds = (id: string) => {
    const t = managed.times.get(id);
    return t ? Date.parse(t) : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i];
    const owned = managed.fields.get(id);
    if (!owned) {
      continue;
    }
    const bucket = managerIdentifier({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: owned.apiVersion,
    });
    const first = firstByVersion.get(owned.apiVersion);
    if (first === undefined) {
      firstByVersion.set(owned.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      const firstSet = managed.fields.get(first);
      managed.fields.delete(first);
      if (firstSet) {
        managed.fields.set(bucket, firstSet);
      }
    }
    const bucketSet = managed.fields.get(bucket);
    managed.fields.set(bucket, {
      set: owned.set.union(bucketSet?.set ?? new FieldSet()),
      apiVersion: owned.apiVersion,
      applied: owned.applied,
    });
    managed.fields.delete(id);
    managed.times.set(bucket, managed.times.get(id));
    length--;
  }
}

/** The last-applied annotation kubectl expects after a server-side apply: the config as sorted JSON. */
function lastAppliedOf(config: Record<string, unknown>): string {
  const copy = cloneJson(config);
  const annotations = (copy.metadata as { annotations?: Record<string, string> } | undefined)
    ?.annotations;
  if (annotations) {
    delete annotations[LAST_APPLIED];
  }
  return `${sortedJson(copy)}\n`;
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(sortedJson).join(',')}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

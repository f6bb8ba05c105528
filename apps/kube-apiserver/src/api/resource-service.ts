import { randomUUID } from 'node:crypto';
import type { Clock } from '@app/common';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
} from '../errors/kube-error';
import type { ServiceAllocator, Reservation } from '../admission/service-allocator';
import { applyJsonPatch } from '../patch/json-patch';
import { applyMergePatch } from '../patch/merge-patch';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch';
import { apiVersionOf, hasStatus, type ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import { typedStore, type TypedStore } from '../storage/typed-store';
import type { StoredObject } from '../storage/revision';
import { formatTime, normalizeTimes } from '../time/kube-time';
import { deepEqual } from '../object/deep-equal';
import {
  PROTECTED_NAMESPACES,
  deletionDue,
  gcFinalizerFor,
  gracePeriodSeconds,
} from './deletion-policy';
import { incomingObject, specOf, statusUpdate } from './incoming-object';
import { FieldManagers } from './field-managers';
import { checkPatchedFields, type FieldValidation } from './field-validation';

/** Whether a write changes what `metadata.generation` tracks for this kind. */
function generationChanged(type: ResourceType, next: KubeObject, old: KubeObject): boolean {
  const source = type.generationSource ?? specOf;
  return !deepEqual(source(next), source(old));
}
import { generateName } from './names';
import { cloneJson, isPlainObject, type KubeObject } from '../object/types';
import { validateMetadataMaps } from '../registry/validation';
import type { SchemaRegistry } from '../schema/schema-registry';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** A mutating/validating admission plugin run on creates, after defaulting (throws to deny). */
export interface CreateAdmission {
  admit(type: ResourceType, obj: KubeObject, requestedName: string): void;
}

/** A validating admission plugin run on creates after validation (throws to deny). */
export interface CreateValidation {
  /** `warnings` collects Warning headers for the response. */
  validateCreate(
    type: ResourceType,
    obj: KubeObject,
    requestedName: string,
    warnings?: string[],
  ): void;
}

/**
 * A validating admission plugin run on updates of an object itself (not its subresources), after
 * validation, with the stored object (throws to deny).
 */
export interface UpdateAdmission {
  admitUpdate(type: ResourceType, obj: KubeObject, old: KubeObject): void;
}

/**
 * A validating plugin that sees every update request — subresources too — and deletes, before
 * the storage decides whether anything changes (throws to deny).
 */
export interface RequestAdmission {
  admitUpdateRequest(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject,
    subresource: string | undefined,
    warnings?: string[],
  ): void;
  admitDelete(type: ResourceType, old: KubeObject, options: DeleteOptions): void;
}

/**
 * The last validating plugin (ResourceQuota): sees a create, or an update of an object itself,
 * once every other check passed, right before the write; it may write other objects in the
 * same synchronous step (throws to deny; with `dryRun` it only checks).
 */
export interface CommitAdmission {
  admitCommit(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
    dryRun: boolean,
  ): void;
}

/** A plugin of the chain: creates, updates, deletes or any of them. */
export type AdmissionPlugin = Partial<CreateAdmission> &
  Partial<CommitAdmission> &
  Partial<CreateValidation> &
  Partial<UpdateAdmission> &
  Partial<RequestAdmission>;

export interface WriteOptions {
  dryRun: boolean;
  /** The manager recorded in managedFields: ?fieldManager, else the User-Agent's product. */
  fieldManager?: string;
  force?: boolean;
  /** ?fieldValidation (default Warn): unknown and duplicate fields ignored, warned about or refused. */
  fieldValidation?: FieldValidation;
  /** Strict-decoding problems of the request body found while decoding it (duplicates). */
  strictErrors?: string[];
  /** Collects Warning headers for the response. */
  warnings?: string[];
  /** Internal: a server-side apply already computed the managed fields. */
  managedFieldsSet?: boolean;
  /**
   * Internal: the body was decoded for this request alone, so the write may use it in place
   * instead of copying it (in-process callers may hand in parts of stored objects).
   */
  ownedBody?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
  /** Set by DELETE on a collection (internal): storage Delete overrides do not apply to it. */
  collection?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  /** 201 for creates, 200 otherwise. */
  created: boolean;
  /** `object` as stored (its JSON text), when it was stored: responses reuse it. */
  json?: string;
}

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone now (not merely marked for deletion). */
  removed: boolean;
}

const namespaceGr = { group: '', resource: 'namespaces' };

/**
 * The one generic REST implementation behind every kind: create/get/list/update/patch/delete with
 * Kubernetes semantics (optimistic concurrency, status subresource, finalizers, graceful pod
 * deletion, namespace lifecycle, dry run). Everything is synchronous: a request's read-check-write
 * cannot interleave with another's.
 */
export class ResourceService {
  private readonly microKeys = new Map<ResourceType, Set<string>>();
  private readonly typedStores = new Map<ResourceType, TypedStore>();
  private readonly managers: FieldManagers;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly services: ServiceAllocator,
    readonly schemas: SchemaRegistry,
    private readonly admission: AdmissionPlugin[] = [],
  ) {
    this.managers = new FieldManagers(schemas, () => formatTime(this.clock.now()));
  }

  get(type: ResourceType, namespace: string, name: string): StoredObject {
    const stored = this.storeOf(type).get(namespace, name);
    if (!stored) {
      throw notFound(type, name);
    }
    return stored;
  }

  create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions): WriteResult {
    return this.createObject(
      type,
      namespace,
      incomingObject(type, namespace, body, options.ownedBody),
      options,
      false,
    );
  }

  /** `applied`: the object comes from a server-side apply that already set its managed fields. */
  private createObject(
    type: ResourceType,
    namespace: string,
    obj: KubeObject,
    options: WriteOptions,
    applied: boolean,
  ): WriteResult {
    const meta = obj.metadata;
    // Admission names the object as requested (a generateName prefix before the name exists).
    const requestedName = meta.name || meta.generateName || '';
    if (!meta.name && meta.generateName) {
      meta.name = generateName(meta.generateName);
    }
    const name = meta.name ?? '';
    if (type.scope === 'Namespaced') {
      this.checkNamespaceWritable(type, namespace, name);
    }
    const now = this.clock.now();
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(now);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if ('spec' in obj || type.customResource || type.kind === 'Pod' || type.kind === 'Service') {
      meta.generation = 1;
    } else {
      delete meta.generation;
    }
    if (hasStatus(type) && !type.statusOnCreate) {
      delete obj.status;
    }
    type.defaultOnCreate?.(obj, { nowMs: now });
    type.defaultOnWrite?.(obj);
    this.normalize(type, obj);
    if (!applied) {
      this.managers.forKind(type, undefined).update(undefined, obj, options.fieldManager ?? '');
    }
    for (const plugin of this.admission) {
      plugin.admit?.(type, obj, requestedName);
    }
    this.validate(type, obj, undefined);
    for (const plugin of this.admission) {
      plugin.validateCreate?.(type, obj, requestedName, options.warnings);
    }
    if (this.storeOf(type).get(namespace, name)) {
      throw alreadyExists(type, name);
    }
    const reservation = this.admit(type, obj, undefined);
    this.admitCommit(type, obj, undefined, options.dryRun, reservation);
    if (options.dryRun) {
      reservation?.release();
      return { object: obj, created: true };
    }
    const stored = this.storeOf(type).write('ADDED', obj);
    return { object: stored.object, created: true, json: stored.json };
  }

  /** PUT: replace the object (or only its status); a stale resourceVersion is a 409. */
  update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    const current = this.get(type, namespace, name);
    const next = incomingObject(type, namespace, body, options.ownedBody);
    if (next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== String(current.rv)) {
      throw conflict(type, name);
    }
    return this.commitUpdate(type, current, next, subresource, options);
  }

  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    const current = this.storeOf(type).get(namespace, name);
    if (patchType === 'apply') {
      return this.apply(type, namespace, name, current, patch, subresource, options);
    }
    if (!current) {
      throw notFound(type, name);
    }
    const base = copyOf(current);
    let patched: unknown;
    switch (patchType) {
      case 'json':
        patched = applyJsonPatch(base, patch);
        break;
      case 'merge':
        patched = applyMergePatch(base, patch);
        break;
      case 'strategic':
        patched = applyStrategicMergePatch(base, patch, type.listStrategies);
        break;
    }
    patched = checkPatchedFields(this.schemas, type, patchType, patch, patched, options);
    return this.commitPatched(type, current, patched, subresource, options, patch);
  }

  /**
   * Server-side apply through the field manager: merge into the live object (or the empty
   * object for a create), prune what the manager stopped applying, 409 on other managers'
   * fields unless forced.
   */
  private apply(
    type: ResourceType,
    namespace: string,
    name: string,
    current: StoredObject | undefined,
    patch: unknown,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    if (!isPlainObject(patch)) {
      throw badRequest('error decoding YAML: the apply configuration must be an object');
    }
    const manager = options.fieldManager ?? '';
    const fieldManager = this.managers.forKind(type, subresource);
    if (!current) {
      if (subresource) {
        throw notFound(type, name);
      }
      const applied = fieldManager.apply(undefined, patch, manager, options.force ?? false);
      this.checkApplyYaml(options);
      if (isPlainObject(patch.metadata) && patch.metadata.name === undefined) {
        applied.metadata.name = name;
      }
      return this.createObject(
        type,
        namespace,
        incomingObject(type, namespace, applied),
        options,
        true,
      );
    }
    const applied = fieldManager.apply(current.object, patch, manager, options.force ?? false);
    this.checkApplyYaml(options);
    return this.commitPatched(
      type,
      current,
      applied,
      subresource,
      { ...options, managedFieldsSet: true },
      patch,
    );
  }

  /** Duplicate keys of an apply body: refused with Strict, warned about with Warn (patch.go). */
  private checkApplyYaml(options: WriteOptions): void {
    const errors = options.strictErrors ?? [];
    const directive = options.fieldValidation ?? 'Warn';
    if (errors.length === 0 || directive === 'Ignore') {
      return;
    }
    if (directive === 'Strict') {
      throw badRequest(`error strict decoding YAML: ${errors[0]}`);
    }
    options.warnings?.push(...errors);
  }

  private commitPatched(
    type: ResourceType,
    current: StoredObject,
    patched: unknown,
    subresource: string | undefined,
    options: WriteOptions,
    patch: unknown,
  ): WriteResult {
    if (!isPlainObject(patched) || !isPlainObject(patched.metadata)) {
      throw badRequest('the patch produced an object without metadata');
    }
    const next = patched as KubeObject;
    // A patch that names a resourceVersion is a precondition, like a PUT.
    const wanted =
      isPlainObject(patch) && isPlainObject(patch.metadata)
        ? patch.metadata.resourceVersion
        : undefined;
    if (typeof wanted === 'string' && wanted !== '' && wanted !== String(current.rv)) {
      throw conflict(type, current.name);
    }
    if (next.metadata.name !== current.name) {
      throw badRequest('metadata.name: the name of a patched object cannot change');
    }
    next.metadata.namespace = current.object.metadata.namespace;
    return this.commitUpdate(type, current, next, subresource, options);
  }

  private commitUpdate(
    type: ResourceType,
    current: StoredObject,
    next: KubeObject,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    const old = current.object;
    let candidate: KubeObject;
    if (subresource === 'status') {
      candidate = statusUpdate(old, next);
    } else if (subresource === 'binding') {
      candidate = next; // pods/binding writes spec.nodeName and the PodScheduled condition together
    } else if (subresource === 'finalize') {
      candidate = cloneJson(old);
      candidate.spec = {
        ...(isPlainObject(old.spec) ? old.spec : {}),
        finalizers: isPlainObject(next.spec) ? next.spec.finalizers : [],
      };
    } else {
      candidate = next;
      if (hasStatus(type)) {
        if (old.status === undefined) {
          delete candidate.status;
        } else {
          candidate.status = cloneJson(old.status);
        }
      }
    }
    candidate.apiVersion = apiVersionOf(type);
    candidate.kind = type.kind;
    const meta = candidate.metadata;
    const oldMeta = old.metadata;
    if (meta.uid && meta.uid !== oldMeta.uid) {
      // Upstream turns the object's uid into a precondition.
      throw conflict(
        type,
        String(oldMeta.name),
        `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${String(oldMeta.uid)}`,
      );
    }
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.namespace = oldMeta.namespace;
    meta.resourceVersion = oldMeta.resourceVersion;
    delete meta.selfLink;
    if (oldMeta.deletionTimestamp) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      const before = new Set(oldMeta.finalizers ?? []);
      const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(type.kind, type, current.name, [
          {
            field: 'metadata.finalizers',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
            reason: 'FieldValueForbidden',
          },
        ]);
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.finalizers && meta.finalizers.length === 0) {
      delete meta.finalizers;
    }
    type.defaultOnWrite?.(candidate);
    this.normalize(type, candidate);
    if (!options.managedFieldsSet) {
      this.managers.forKind(type, subresource).update(old, candidate, options.fieldManager ?? '');
    }
    if (subresource !== 'finalize') {
      type.prepareForUpdate?.(candidate, old);
    }
    // Compared after defaulting, so a write that only omits defaulted fields changes nothing.
    meta.generation = oldMeta.generation;
    if (oldMeta.generation !== undefined && generationChanged(type, candidate, old)) {
      meta.generation = oldMeta.generation + 1;
    }
    this.validate(type, candidate, old);
    for (const plugin of this.admission) {
      plugin.admitUpdateRequest?.(type, candidate, old, subresource, options.warnings);
    }
    if (deepEqual(candidate, old)) {
      return { object: old, created: false };
    }
    if (subresource === undefined) {
      for (const plugin of this.admission) {
        plugin.admitUpdate?.(type, candidate, old);
      }
    }
    const reservation = this.admit(type, candidate, old);
    if (subresource === undefined) {
      this.admitCommit(type, candidate, old, options.dryRun, reservation);
    }
    if (options.dryRun) {
      reservation?.release();
      return { object: candidate, created: false };
    }
    if (
      meta.deletionTimestamp &&
      !meta.finalizers?.length &&
      deletionDue(type, candidate, this.clock.now())
    ) {
      return { object: this.remove(type, candidate, old), created: false };
    }
    const stored = this.storeOf(type).write('MODIFIED', candidate, current);
    if (type.kind === 'Service' && type.group === '') {
      this.services.releaseDropped(old, candidate);
    }
    return { object: stored.object, created: false, json: stored.json };
  }

  delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions,
  ): DeleteResult {
    const current = this.get(type, namespace, name);
    const old = current.object;
    const dryRun = (options.dryRun ?? []).includes('All');
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(old.metadata.uid)}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(current.rv)) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
      );
    }
    for (const plugin of this.admission) {
      plugin.admitDelete?.(type, old, options);
    }
    if (type.kind === 'Namespace' && type.group === '') {
      return this.deleteNamespace(current, dryRun);
    }
    const now = this.clock.now();
    const grace = gracePeriodSeconds(type, old, options.gracePeriodSeconds);
    const finalizers = old.metadata.finalizers ?? [];
    if (old.metadata.deletionTimestamp) {
      // Already terminating: only a shorter grace period changes anything (it may finish it now).
      if (grace >= (old.metadata.deletionGracePeriodSeconds ?? 0) || dryRun) {
        return { object: old, removed: false };
      }
      if (grace === 0 && finalizers.length === 0) {
        return { object: this.remove(type, copyOf(current), old), removed: true };
      }
      const shortened = copyOf(current);
      shortened.metadata.deletionTimestamp = formatTime(now + grace * 1000);
      shortened.metadata.deletionGracePeriodSeconds = grace;
      return {
        object: this.storeOf(type).write('MODIFIED', shortened, current).object,
        removed: false,
      };
    }
    // Orphan / Foreground deletions go through the garbage collector's finalizers.
    const gcFinalizer = gcFinalizerFor(options, type.defaultPropagationPolicy);
    if (finalizers.length === 0 && grace === 0 && !gcFinalizer && !type.markForDeletion) {
      return { object: dryRun ? old : this.remove(type, copyOf(current), old), removed: true };
    }
    const next = copyOf(current);
    next.metadata.deletionTimestamp = formatTime(now + grace * 1000);
    next.metadata.deletionGracePeriodSeconds = grace;
    // Marking an object for deletion bumps its generation (rest.BeforeDelete / markAsDeleting);
    // 1.32 Pods carry no generation upstream, so theirs stays as it is here.
    if (next.metadata.generation && !(type.group === '' && type.kind === 'Pod')) {
      next.metadata.generation += 1;
    }
    if (gcFinalizer) {
      next.metadata.finalizers = [...finalizers, gcFinalizer];
    }
    type.markForDeletion?.(next, now);
    if (dryRun) {
      return { object: next, removed: false };
    }
    const stored = this.storeOf(type).write('MODIFIED', next, current);
    return { object: stored.object, removed: false };
  }

  /** Removes a terminating object whose finalizers are gone (the caller decides it is due). */
  finishDeletion(type: ResourceType, stored: StoredObject): void {
    const obj = stored.object;
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length) {
      this.remove(type, copyOf(stored), obj);
    }
  }

  private deleteNamespace(current: StoredObject, dryRun: boolean): DeleteResult {
    const old = current.object;
    const name = current.name;
    if (PROTECTED_NAMESPACES.has(name)) {
      throw forbidden(namespaceGr, name, 'this namespace may not be deleted');
    }
    if (old.metadata.deletionTimestamp) {
      return { object: old, removed: false };
    }
    const next = cloneJson(old);
    next.metadata.deletionTimestamp = formatTime(this.clock.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(isPlainObject(next.status) ? next.status : {}), phase: 'Terminating' };
    if (dryRun) {
      return { object: next, removed: false };
    }
    const stored = this.store.write({
      group: '',
      resource: 'namespaces',
      type: 'MODIFIED',
      object: next,
      previous: current,
    });
    return { object: stored.object, removed: false };
  }

  private remove(type: ResourceType, obj: KubeObject, old: KubeObject): KubeObject {
    const stored = this.storeOf(type).write('DELETED', obj);
    if (type.kind === 'Service' && type.group === '') {
      this.services.releaseDropped(old, undefined);
    }
    return stored.object;
  }

  private checkNamespaceWritable(type: ResourceType, namespace: string, name: string): void {
    const ns = this.store.get('/namespaces', '', namespace);
    if (!ns) {
      throw notFound(namespaceGr, namespace);
    }
    if (ns.object.metadata.deletionTimestamp) {
      throw forbidden(
        type,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private validate(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const errors = [...validateMetadataMaps(obj), ...(type.validate?.(obj, old) ?? [])];
    if (errors.length > 0) {
      throw invalid(type.kind, type, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
    }
  }

  private admit(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
  ): Reservation | undefined {
    if (type.kind !== 'Service' || type.group !== '') {
      return undefined;
    }
    const reservation = this.services.allocate(obj, old);
    if (reservation.errors.length > 0) {
      throw invalid(type.kind, type, obj.metadata.name ?? '', reservation.errors);
    }
    return reservation;
  }

  /** The commit-time plugins (quota); a refusal gives back the Service's reserved IPs and ports. */
  private admitCommit(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
    dryRun: boolean,
    reservation: Reservation | undefined,
  ): void {
    try {
      for (const plugin of this.admission) {
        plugin.admitCommit?.(type, obj, old, dryRun);
      }
    } catch (err) {
      reservation?.release();
      throw err;
    }
  }

  private normalize(type: ResourceType, obj: KubeObject): void {
    let keys = this.microKeys.get(type);
    if (!keys) {
      keys = new Set(type.microTimeKeys ?? []);
      this.microKeys.set(type, keys);
    }
    normalizeTimes(obj, keys);
  }

  /** The store as `type` sees it (views convert to their storage kind). */
  storeOf(type: ResourceType): TypedStore {
    let typed = this.typedStores.get(type);
    if (!typed) {
      typed = typedStore(this.store, type);
      this.typedStores.set(type, typed);
    }
    return typed;
  }
}

/** A private copy of a stored object, from its stored JSON text (half the work of cloneJson). */
function copyOf(stored: StoredObject): KubeObject {
  return JSON.parse(stored.json) as KubeObject;
}

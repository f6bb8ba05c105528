import {
  DEFAULT_ITEM_BASE_DELAY_MS,
  DEFAULT_ITEM_MAX_DELAY_MS,
  ItemExponentialFailureRateLimiter,
} from '@app/controller-runtime';
import { CONTROLLER_MANAGER } from '../api/field-managers';
import { afterThisTurnAsServer } from '../auth/request-user';
import type { ResourceService } from '../api/resource-service';
import { isPlainObject, type KubeObject } from '../object/types';
import type { ResourceRegistry } from '../registry/registry';
import { typeKey, type ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

interface ObjectRef {
  kind: ResourceType;
  namespace: string;
  name: string;
}

interface OwnerRef {
  uid: string;
  /** "<group>/<Kind>" of the reference, to tell an absent owner from one of a kind not served. */
  groupKind: string;
}

function ownerRefs(obj: KubeObject): OwnerRef[] {
  const refs = obj.metadata.ownerReferences ?? [];
  return refs.flatMap((r) => {
    if (!isPlainObject(r) || typeof r.uid !== 'string') {
      return [];
    }
    const apiVersion = typeof r.apiVersion === 'string' ? r.apiVersion : '';
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    return [{ uid: r.uid, groupKind: `${group}/${typeof r.kind === 'string' ? r.kind : ''}` }];
  });
}

/**
 * The garbage collector, following metadata.ownerReferences: when an owner goes, dependents with
 * no owner left are deleted (Background); an owner deleted with the `orphan` finalizer first has
 * its references removed from the dependents; one with `foregroundDeletion` waits for them to go.
 */
export class GarbageCollector {
  private readonly kinds = new Map<string, ResourceType>();
  /** "<group>/<Kind>" of every kind served (owners of other kinds cannot be verified). */
  private readonly groupKinds = new Set<string>();
  private readonly live = new Map<string, ObjectRef>();
  private readonly owners = new Map<string, OwnerRef[]>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly pending = new Set<string>();
  /** Backoff of failed collections by owner uid, as client-go's per-item default (5 ms to 1000 s). */
  private readonly backoff = new ItemExponentialFailureRateLimiter<string>(
    DEFAULT_ITEM_BASE_DELAY_MS,
    DEFAULT_ITEM_MAX_DELAY_MS,
  );
  /** Failed collections waiting to be retried: owner uid → timer. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    registry: ResourceRegistry,
    private readonly service: ResourceService,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.learnKinds(registry);
    for (const [uid, ref] of this.live) {
      if (this.isTerminatingOwner(ref)) {
        this.schedule(uid);
      }
    }
    for (const owner of this.dependents.keys()) {
      if (!this.live.has(owner)) {
        this.schedule(owner);
      }
    }
    const unsubscribeWrites = store.onWrite((write) => this.onWrite(write));
    // Custom resource kinds come and go with their CRDs.
    const unsubscribeKinds = registry.onChange(() => this.learnKinds(registry));
    this.unsubscribe = () => {
      unsubscribeWrites();
      unsubscribeKinds();
    };
  }

  stop(): void {
    this.unsubscribe();
    for (const timer of this.retries.values()) {
      clearTimeout(timer);
    }
    this.retries.clear();
  }

  /** Uses the current kind of every storage; tracks the objects of storages new to it. */
  private learnKinds(registry: ResourceRegistry): void {
    for (const kind of registry.storageKinds()) {
      const known = this.kinds.has(typeKey(kind));
      this.kinds.set(typeKey(kind), kind);
      this.groupKinds.add(`${kind.group}/${kind.kind}`);
      if (!known) {
        for (const stored of this.store.list(typeKey(kind))) {
          this.track(kind, stored.object);
        }
      }
    }
  }

  private onWrite({ revision, object }: CommittedWrite): void {
    const kind = this.kinds.get(revision.typeKey);
    const uid = object.metadata.uid;
    if (!kind || !uid) {
      return;
    }
    if (revision.type === 'DELETED') {
      this.untrack(uid);
      if (this.dependents.has(uid)) {
        this.schedule(uid);
      }
      return;
    }
    this.track(kind, object);
    // An owner that is already gone (the reference was written after its deletion, e.g. from a
    // controller's stale cache): upstream's graph builder adds a virtual node for it and the
    // collector verifies it is absent, so the dependent is collected all the same.
    for (const owner of this.owners.get(uid) ?? []) {
      if (!this.live.has(owner.uid) && this.groupKinds.has(owner.groupKind)) {
        this.schedule(owner.uid);
      }
    }
    const finalizers = object.metadata.finalizers ?? [];
    if (
      object.metadata.deletionTimestamp &&
      (finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER))
    ) {
      this.schedule(uid);
    }
  }

  private track(kind: ResourceType, obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    this.live.set(uid, {
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
    });
    for (const owner of this.owners.get(uid) ?? []) {
      this.dependents.get(owner.uid)?.delete(uid);
    }
    const owners = ownerRefs(obj);
    if (owners.length === 0) {
      this.owners.delete(uid);
      return;
    }
    this.owners.set(uid, owners);
    for (const owner of owners) {
      let set = this.dependents.get(owner.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(owner.uid, set);
      }
      set.add(uid);
    }
  }

  private untrack(uid: string): void {
    this.live.delete(uid);
    for (const owner of this.owners.get(uid) ?? []) {
      const set = this.dependents.get(owner.uid);
      set?.delete(uid);
      // A foreground deletion waits for its last dependent.
      if (set && set.size === 0 && this.live.has(owner.uid)) {
        this.schedule(owner.uid);
      }
    }
    this.owners.delete(uid);
  }

  private schedule(uid: string): void {
    this.pending.add(uid);
    if (!this.scheduled) {
      this.scheduled = true;
      afterThisTurnAsServer(() => {
        this.scheduled = false;
        this.process();
      });
    }
  }

  private process(): void {
    const uids = [...this.pending];
    this.pending.clear();
    for (const uid of uids) {
      try {
        this.collect(uid);
        this.backoff.forget(uid);
      } catch (error) {
        this.log(`garbage collection for owner ${uid} failed`, error);
        this.retryLater(uid);
      }
    }
  }

  /** As upstream's attemptToDelete queue: a failed collection is retried with backoff, not dropped. */
  private retryLater(uid: string): void {
    clearTimeout(this.retries.get(uid));
    const timer = setTimeout(() => {
      this.retries.delete(uid);
      this.schedule(uid);
    }, this.backoff.when(uid));
    timer.unref();
    this.retries.set(uid, timer);
  }

  private collect(ownerUid: string): void {
    const owner = this.live.get(ownerUid);
    const dependents = [...(this.dependents.get(ownerUid) ?? [])].flatMap((uid) => {
      const ref = this.live.get(uid);
      return ref ? [{ uid, ref }] : [];
    });
    if (!owner) {
      for (const { uid, ref } of dependents) {
        // Owners of a kind not served cannot be verified absent: they count as present.
        const remaining = (this.owners.get(uid) ?? []).filter(
          (o) => this.live.has(o.uid) || !this.groupKinds.has(o.groupKind),
        );
        if (remaining.length === 0) {
          this.deleteIfLive(ref);
        }
      }
      if (dependents.length === 0) {
        this.dependents.delete(ownerUid);
      }
      return;
    }
    const stored = this.store.get(typeKey(owner.kind), owner.namespace, owner.name);
    const finalizers = stored?.object.metadata.finalizers ?? [];
    if (!stored?.object.metadata.deletionTimestamp) {
      return;
    }
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const { ref } of dependents) {
        this.dropOwnerReference(ref, ownerUid);
      }
      this.removeFinalizer(owner, finalizers, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      if (dependents.length === 0) {
        this.removeFinalizer(owner, finalizers, FOREGROUND_FINALIZER);
      } else {
        dependents.forEach(({ ref }) => this.deleteIfLive(ref));
      }
    }
  }

  private deleteIfLive(ref: ObjectRef): void {
    const stored = this.store.get(typeKey(ref.kind), ref.namespace, ref.name);
    if (stored && !stored.object.metadata.deletionTimestamp) {
      this.service.delete(ref.kind, ref.namespace, ref.name, { propagationPolicy: 'Background' });
    }
  }

  private dropOwnerReference(ref: ObjectRef, ownerUid: string): void {
    const stored = this.store.get(typeKey(ref.kind), ref.namespace, ref.name);
    if (!stored) {
      return;
    }
    const kept = (stored.object.metadata.ownerReferences ?? []).filter(
      (r) => !(isPlainObject(r) && r.uid === ownerUid),
    );
    this.service.patch(
      ref.kind,
      ref.namespace,
      ref.name,
      'merge',
      { metadata: { ownerReferences: kept.length ? kept : null } },
      undefined,
      { dryRun: false, fieldManager: CONTROLLER_MANAGER },
    );
  }

  private removeFinalizer(owner: ObjectRef, finalizers: string[], finalizer: string): void {
    const kept = finalizers.filter((f) => f !== finalizer);
    this.service.patch(
      owner.kind,
      owner.namespace,
      owner.name,
      'merge',
      { metadata: { finalizers: kept.length ? kept : null } },
      undefined,
      { dryRun: false, fieldManager: CONTROLLER_MANAGER },
    );
  }

  private isTerminatingOwner(ref: ObjectRef): boolean {
    const obj = this.store.get(typeKey(ref.kind), ref.namespace, ref.name)?.object;
    const finalizers = obj?.metadata.finalizers ?? [];
    return (
      obj?.metadata.deletionTimestamp !== undefined &&
      (finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER))
    );
  }
}

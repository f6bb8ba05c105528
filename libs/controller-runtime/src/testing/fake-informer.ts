import type {
  DeletedFinalStateUnknown,
  Informer,
  KubeObject,
  ResourceEventHandler,
} from '../informer';
import { metaNamespaceKey } from '../keys';

/**
 * An in-memory Informer for tests: `add`/`update`/`delete` change the store and call the handlers
 * as a real informer would; `markSynced` flips `hasSynced`.
 */
export class FakeInformer<T extends KubeObject> implements Informer<T> {
  private readonly handlers: ResourceEventHandler<T>[] = [];
  private readonly store = new Map<string, T>();
  private synced = false;

  addEventHandler(handler: ResourceEventHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.store.values()) {
      handler.onAdd?.(obj, !this.synced);
    }
  }

  hasSynced(): boolean {
    return this.synced;
  }

  markSynced(synced = true): void {
    this.synced = synced;
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  add(obj: T): void {
    this.store.set(metaNamespaceKey(obj), obj);
    this.handlers.forEach((h) => h.onAdd?.(obj, !this.synced));
  }

  update(obj: T): void {
    const key = metaNamespaceKey(obj);
    const old = this.store.get(key) ?? obj;
    this.store.set(key, obj);
    this.handlers.forEach((h) => h.onUpdate?.(old, obj));
  }

  delete(obj: T, tombstone = false): void {
    const key = metaNamespaceKey(obj);
    this.store.delete(key);
    const delivered: T | DeletedFinalStateUnknown<T> = tombstone
      ? { kind: 'DeletedFinalStateUnknown', key, obj }
      : obj;
    this.handlers.forEach((h) => h.onDelete?.(delivered));
  }
}

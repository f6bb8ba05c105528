import {
  isDeletedFinalStateUnknown,
  type DeletedFinalStateUnknown,
  type Informer,
  type KubeObject,
} from './informer';
import { metaNamespaceKey } from './keys';

/**
 * client-go's cache.Indexer for one index function over an informer: objects grouped by the
 * values `indexFn` returns (e.g. pods by `spec.nodeName`), kept current by the informer's events.
 */
export class Indexer<T extends KubeObject> {
  private readonly byValue = new Map<string, Map<string, T>>();
  private readonly valuesOf = new Map<string, string[]>();

  constructor(
    informer: Informer<T>,
    private readonly indexFn: (obj: T) => string[],
  ) {
    informer.addEventHandler({
      onAdd: (obj) => this.put(obj),
      onUpdate: (_old, obj) => this.put(obj),
      onDelete: (obj) => this.remove(obj),
    });
  }

  /** The objects indexed under `value` (a fresh array). */
  byIndex(value: string): T[] {
    const objects = this.byValue.get(value);
    return objects ? [...objects.values()] : [];
  }

  /** How many objects are indexed under `value`. */
  count(value: string): number {
    return this.byValue.get(value)?.size ?? 0;
  }

  /** Every index value that has objects. */
  values(): string[] {
    return [...this.byValue.keys()];
  }

  private put(obj: T): void {
    const key = metaNamespaceKey(obj);
    this.drop(key);
    const values = this.indexFn(obj);
    this.valuesOf.set(key, values);
    for (const value of values) {
      let objects = this.byValue.get(value);
      if (!objects) {
        objects = new Map();
        this.byValue.set(value, objects);
      }
      objects.set(key, obj);
    }
  }

  private remove(obj: T | DeletedFinalStateUnknown<T>): void {
    this.drop(isDeletedFinalStateUnknown(obj) ? obj.key : metaNamespaceKey(obj));
  }

  private drop(key: string): void {
    for (const value of this.valuesOf.get(key) ?? []) {
      const objects = this.byValue.get(value);
      objects?.delete(key);
      if (objects?.size === 0) {
        this.byValue.delete(value);
      }
    }
    this.valuesOf.delete(key);
  }
}

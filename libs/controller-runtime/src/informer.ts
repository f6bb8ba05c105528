/** The object metadata the plumbing reads (a subset of metav1.ObjectMeta). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** Anything with Kubernetes object metadata (client-node's KubernetesObject fits). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/**
 * What a delete handler receives when the watch missed the deletion and only a relist noticed it
 * (client-go's cache.DeletedFinalStateUnknown): the last known state, which may be stale.
 */
export interface DeletedFinalStateUnknown<T> {
  readonly kind: 'DeletedFinalStateUnknown';
  readonly key: string;
  readonly obj: T;
}

export function isDeletedFinalStateUnknown<T>(
  value: T | DeletedFinalStateUnknown<T>,
): value is DeletedFinalStateUnknown<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'DeletedFinalStateUnknown' &&
    typeof (value as { key?: unknown }).key === 'string' &&
    'obj' in value
  );
}

/** client-go's ResourceEventHandler. Updates carry the old and the new object. */
export interface ResourceEventHandler<T> {
  /** `isInInitialList` is true for objects delivered by the informer's first list. */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called on resync, with identical old and new objects. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

/** Something whose cache can be waited for (client-go's InformerSynced). */
export interface HasSynced {
  hasSynced(): boolean;
}

/**
 * The informer surface the controllers need (client-go's SharedIndexInformer, reduced).
 * libs/kube-client adapts its client-node informers to this; tests use a fake.
 */
export interface Informer<T> extends HasSynced {
  addEventHandler(handler: ResourceEventHandler<T>): void;
}

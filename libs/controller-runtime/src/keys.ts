import { DomainError } from '@app/common';
import {
  isDeletedFinalStateUnknown,
  type DeletedFinalStateUnknown,
  type KubeObject,
} from './informer';

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for cluster-scoped objects. */
export function metaNamespaceKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) {
    throw new DomainError('INVALID_ARGUMENT', 'object has no metadata.name');
  }
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** client-go's DeletionHandlingMetaNamespaceKeyFunc: tombstones carry their own key. */
export function deletionHandlingMetaNamespaceKey<T extends KubeObject>(
  obj: T | DeletedFinalStateUnknown<T>,
): string {
  return isDeletedFinalStateUnknown(obj) ? obj.key : metaNamespaceKey(obj);
}

/** client-go's SplitMetaNamespaceKey: `ns/name` → both; `name` → namespace "". */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) {
    return { namespace: '', name: parts[0] };
  }
  if (parts.length === 2) {
    return { namespace: parts[0], name: parts[1] };
  }
  throw new DomainError('INVALID_ARGUMENT', `unexpected key format: "${key}"`);
}

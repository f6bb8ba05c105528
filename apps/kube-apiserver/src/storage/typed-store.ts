import type { KubeObject } from '../object/types';
import { typeKey, type ResourceType } from '../registry/resource-type';
import type { ObjectStore } from './object-store';
import type { StoredObject, WriteType } from './revision';

/** The store as one kind sees it: views convert to and from their storage kind. */
export interface TypedStore {
  get(namespace: string, name: string): StoredObject | undefined;
  list(namespace?: string): StoredObject[];
  /** The objects as they were at `rv`; undefined when that version is gone. */
  listAt(rv: number, namespace?: string): StoredObject[] | undefined;
  write(type: WriteType, object: KubeObject, previous?: StoredObject): StoredObject;
  /** Converts a stored object to this kind (identity for kinds with their own storage). */
  present(object: KubeObject): KubeObject;
}

export function typedStore(store: ObjectStore, type: ResourceType): TypedStore {
  const key = typeKey(type);
  const view = type.view;
  if (!view) {
    return {
      get: (namespace, name) => store.get(key, namespace, name),
      list: (namespace) => store.list(key, namespace),
      listAt: (rv, namespace) => store.listAt(key, rv, namespace),
      write: (writeType, object, previous) =>
        store.write({
          group: type.group,
          resource: type.resource,
          type: writeType,
          object,
          previous,
        }),
      present: (object) => object,
    };
  }
  const present = (stored: StoredObject): StoredObject => {
    const object = view.fromStorage(stored.object);
    return { ...stored, object, json: JSON.stringify(object) };
  };
  return {
    get: (namespace, name) => {
      const stored = store.get(key, namespace, name);
      return stored && present(stored);
    },
    list: (namespace) => store.list(key, namespace).map(present),
    listAt: (rv, namespace) => store.listAt(key, rv, namespace)?.map(present),
    write: (writeType, object) =>
      present(
        store.write({
          group: view.storage.group,
          resource: view.storage.resource,
          type: writeType,
          object: view.toStorage(object),
        }),
      ),
    present: (object) => view.fromStorage(object),
  };
}

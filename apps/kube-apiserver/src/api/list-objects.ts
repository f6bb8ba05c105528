import { expired } from '../errors/kube-error';
import type { StoredObject } from '../storage/revision';
import type { TypedStore } from '../storage/typed-store';
import { decodeContinue, encodeContinue, type ListOptions } from './list-options';

export interface ListPage {
  items: StoredObject[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

/**
 * One page of a list from the current state, sorted by namespace/name. Continue tokens carry the
 * last key; later pages are served from the latest state (a documented simplification).
 */
export function listObjects(
  store: TypedStore,
  resourceVersion: number,
  options: ListOptions,
): ListPage {
  if (
    options.resourceVersionMatch === 'Exact' &&
    options.resourceVersion !== String(resourceVersion)
  ) {
    // Lists are served from the current state only; an older exact version is gone.
    throw expired(
      `too old resource version: ${options.resourceVersion ?? ''} (${resourceVersion})`,
    );
  }
  const all = store.list(options.namespace);
  let startIndex = 0;
  if (options.continueToken) {
    const { start } = decodeContinue(options.continueToken);
    startIndex = all.findIndex((o) => `${o.namespace}/${o.name}` > start);
    if (startIndex < 0) {
      startIndex = all.length;
    }
  }
  const items: StoredObject[] = [];
  const limit = options.limit ?? Infinity;
  let i = startIndex;
  for (; i < all.length && items.length < limit; i++) {
    if (options.matches(all[i].object)) {
      items.push(all[i]);
    }
  }
  if (items.length === limit && i < all.length) {
    let remaining = 0;
    for (let j = i; j < all.length; j++) {
      if (options.matches(all[j].object)) {
        remaining++;
      }
    }
    if (remaining > 0) {
      const last = items[items.length - 1];
      return {
        items,
        resourceVersion,
        continueToken: encodeContinue({
          rv: resourceVersion,
          start: `${last.namespace}/${last.name}`,
        }),
        remainingItemCount: remaining,
      };
    }
  }
  return { items, resourceVersion };
}

import { KubeError, badRequest, expired } from '../errors/kube-error';
import type { ObjectStore } from '../storage/object-store';
import type { StoredObject } from '../storage/revision';
import type { TypedStore } from '../storage/typed-store';
import { parseGoUint } from './query-params';
import { decodeContinue, encodeContinue } from './continue-token';
import type { ListOptions } from './list-options';

export interface ListPage {
  items: StoredObject[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

/** How long a request for a resourceVersion newer than the store waits (the watch cache's 3 s). */
export const FRESHNESS_WAIT_MS = 3000;

const TOO_OLD = 'The resourceVersion for the provided list is too old.';
const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can ' +
  'start a new list without the continue parameter, or use the continue token in this response ' +
  'to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the ' +
  'first chunk was returned and now may show up in the list.';

/** 504 Timeout "Too large resource version" (storage.NewTooLargeResourceVersionError). */
export function tooLargeResourceVersion(wanted: number, current: number): KubeError {
  return new KubeError(
    504,
    'Timeout',
    `Timeout: Too large resource version: ${wanted}, current: ${current}`,
    {
      causes: [
        { reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' },
      ],
      retryAfterSeconds: 1,
    },
  );
}

/** Resolves once the store has reached `rv` (true) or after FRESHNESS_WAIT_MS (false). */
export function waitForResourceVersion(store: ObjectStore, rv: number): Promise<boolean> {
  if (store.currentRv >= rv) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), FRESHNESS_WAIT_MS);
    const unsubscribe = store.onWrite(() => {
      if (store.currentRv >= rv) {
        done(true);
      }
    });
  });
}

export function parseResourceVersion(value: string): number {
  try {
    return parseGoUint(value);
  } catch (error) {
    // APIObjectVersioner.ParseResourceVersion's field error, wrapped by the storage's BadRequest.
    throw badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(value)}: ${(error as Error).message}`,
    );
  }
}

/**
 * One page of a list with upstream's resourceVersion semantics: "" and "0" serve the latest
 * state, `NotOlderThan` (and a plain version without a limit) any state at least that new,
 * `Exact` (and a plain version with a limit) exactly that version from the retained history,
 * 410 when it is gone. Continue tokens resume at their list's version; an expired token gets a
 * 410 carrying a token that continues from the latest state, as etcd-backed servers do.
 */
export async function listObjects(
  typed: TypedStore,
  store: ObjectStore,
  options: ListOptions,
  clusterScoped: boolean,
): Promise<ListPage> {
  let listRv = store.currentRv;
  let exact = false;
  let start: string | undefined;
  const rvParam = options.resourceVersion;
  if (options.continueToken) {
    const token = decodeContinue(options.continueToken);
    if (rvParam && rvParam !== '0') {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    start = token.start;
    if (token.rv > 0) {
      listRv = token.rv;
      exact = true;
    }
  } else if (rvParam && rvParam !== '0') {
    const wanted = parseResourceVersion(rvParam);
    const match = options.resourceVersionMatch;
    if (match === 'Exact' || (!match && options.limit !== undefined)) {
      listRv = wanted;
      exact = true;
    }
    if (wanted > store.currentRv && !(await waitForResourceVersion(store, wanted))) {
      throw tooLargeResourceVersion(wanted, store.currentRv);
    }
    if (!exact) {
      listRv = store.currentRv;
    }
  }
  const all = exact ? typed.listAt(listRv, options.namespace) : typed.list(options.namespace);
  if (!all) {
    if (start !== undefined) {
      const error = expired(INCONSISTENT_CONTINUE);
      error.listContinue = encodeContinue({ rv: -1, start });
      throw error;
    }
    throw expired(TOO_OLD);
  }
  // Keys as below the etcd prefix of this list: <ns>/<name> across namespaces, else <name>.
  const keyOf = (o: StoredObject) =>
    clusterScoped || options.namespace !== undefined ? o.name : `${o.namespace}/${o.name}`;
  let index = 0;
  if (start !== undefined) {
    const from = start;
    index = all.findIndex((o) => keyOf(o) > from);
    if (index < 0) {
      index = all.length;
    }
  }
  const items: StoredObject[] = [];
  const limit = options.limit ?? Infinity;
  for (; index < all.length && items.length < limit; index++) {
    if (options.matches(all[index].object)) {
      items.push(all[index]);
    }
  }
  const page: ListPage = { items, resourceVersion: listRv };
  if (items.length === limit && index < all.length) {
    let remaining = 0;
    for (let j = index; j < all.length; j++) {
      if (options.matches(all[j].object)) {
        remaining++;
      }
    }
    if (remaining > 0) {
      page.continueToken = encodeContinue({ rv: listRv, start: keyOf(items[items.length - 1]) });
      if (options.unfiltered) {
        page.remainingItemCount = remaining;
      }
    }
  }
  return page;
}

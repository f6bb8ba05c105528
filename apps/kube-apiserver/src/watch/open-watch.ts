import type { ServerResponse } from 'node:http';
import type { Clock } from '@app/common';
import type { ListOptions } from '../api/list-options';
import { badRequest, expired } from '../errors/kube-error';
import { typeKey } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { TypedStore } from '../storage/typed-store';
import type { ResourceRoute } from '../server/route';
import type { TableOptions } from '../tables/table-builder';
import { WatchConnection } from './watch-connection';
import { fromRevision, type FilteredEvent } from './watch-event';
import type { WatchHub } from './watch-hub';

export interface WatchTimings {
  heartbeatMs: number;
  bookmarkMs: number;
}

export interface WatchDeps {
  store: ObjectStore;
  /** The store as the watched kind sees it (views convert). */
  typed: TypedStore;
  hub: WatchHub;
  clock: Clock;
  timings: WatchTimings;
}

/**
 * Starts a watch: the initial events (current state for resourceVersion unset/0, else the history
 * after that version, or ERROR 410 when it was compacted away), then live writes from the hub.
 * Everything up to the subscription runs synchronously, so no write can fall in between.
 */
export function openWatch(
  res: ServerResponse,
  route: ResourceRoute,
  options: ListOptions,
  table: TableOptions | undefined,
  deps: WatchDeps,
): void {
  const { type } = route;
  const { store, typed } = deps;
  const key = typeKey(type);
  const present = type.view
    ? (o: Parameters<TypedStore['present']>[0]) => typed.present(o)
    : undefined;
  const connection = new WatchConnection(
    res,
    {
      type,
      namespace: route.namespace,
      matches: options.matches,
      table,
      bookmarks: options.allowWatchBookmarks,
      heartbeatMs: deps.timings.heartbeatMs,
      bookmarkMs: deps.timings.bookmarkMs,
      timeoutMs: options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 : undefined,
      currentRv: () => store.currentRv,
      present,
    },
    deps.clock,
  );
  const rvParam = options.resourceVersion;
  let initial: FilteredEvent[];
  if (rvParam === undefined || rvParam === '' || rvParam === '0') {
    initial = typed
      .list(route.namespace)
      .filter((s) => options.matches(s.object))
      .map((s) => ({ type: 'ADDED' as const, object: s.object, json: s.json }));
  } else {
    const rv = Number(rvParam);
    if (!Number.isInteger(rv) || rv < 0) {
      throw badRequest(`invalid resourceVersion: ${rvParam}`);
    }
    const history = store.history.since(rv);
    if (history === undefined) {
      connection.open();
      connection.fail(
        expired(`too old resource version: ${rv} (${store.history.compactedRv + 1})`).toStatus(),
      );
      return;
    }
    initial = [];
    for (const revision of history) {
      if (
        revision.typeKey === key &&
        (route.namespace === undefined || revision.namespace === route.namespace)
      ) {
        const event = fromRevision(revision, options.matches, present);
        if (event) {
          initial.push(event);
        }
      }
    }
  }
  connection.open();
  for (const event of initial) {
    connection.send(event);
  }
  if (options.sendInitialEvents && options.allowWatchBookmarks) {
    connection.bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  deps.hub.add(key, connection);
}

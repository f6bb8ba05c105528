import type { Clock } from '@app/common';
import type { ListOptions } from '../api/list-options';
import { tooLargeResourceVersion, waitForResourceVersion } from '../api/list-objects';
import { expired, invalid } from '../errors/kube-error';
import { typeKey } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import type { TypedStore } from '../storage/typed-store';
import type { ResourceRoute } from '../server/route';
import { parseGoUint } from '../api/query-params';
import { WatchConnection } from './watch-connection';
import type { WatchEncoding } from './watch-encoding';
import { fromRevision, type FilteredEvent } from './watch-event';
import type { WatchHub } from './watch-hub';
import type { WatchSink } from './watch-sink';

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

export interface WatchRequest {
  sink: WatchSink;
  route: ResourceRoute;
  options: ListOptions;
  encoding: WatchEncoding;
  /** The empty list in the negotiated format, base64 (the initial-events-list-blueprint). */
  listBlueprint: () => string;
}

/** kube-apiserver's --min-request-timeout: watches without timeoutSeconds last 1–2 times this. */
const MIN_REQUEST_TIMEOUT_MS = 1800 * 1000;

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
export const INITIAL_EVENTS_LIST_BLUEPRINT = 'k8s.io/initial-events-list-blueprint';

function parseWatchResourceVersion(value: string, route: ResourceRoute): number {
  if (value === '' || value === '0') {
    return 0;
  }
  try {
    return parseGoUint(value);
  } catch (error) {
    throw invalid(route.type.resource, route.type, '', [
      {
        field: 'resourceVersion',
        message: `Invalid value: ${JSON.stringify(value)}: ${(error as Error).message}`,
      },
    ]);
  }
}

/**
 * Starts a watch as the apiserver's watch cache serves it (1.32, WatchList on):
 * - `sendInitialEvents=true` (the default for resourceVersion "" and "0"): the current state as
 *   ADDED, then, with bookmarks allowed, a BOOKMARK annotated `k8s.io/initial-events-end` (and
 *   the list blueprint) — waiting up to 3 s for a requested version not reached yet;
 * - `sendInitialEvents=false`: from "now" for "" and "0";
 * - a version N: every change after N, or ERROR 410 when that history was compacted away.
 * Everything after the optional wait runs synchronously, so no write can fall in between.
 */
export async function openWatch(request: WatchRequest, deps: WatchDeps): Promise<void> {
  const { route, options, sink } = request;
  const { type } = route;
  const { store, typed } = deps;
  const rvParam = options.resourceVersion ?? '';
  const requested = parseWatchResourceVersion(rvParam, route);
  const initial = options.sendInitialEvents === true;
  let ready = true;
  if (initial && requested > store.currentRv) {
    ready = await waitForResourceVersion(store, requested);
  }
  // A watch starts from durable state: initial events and history never show a write that
  // could still be lost (and live events continue right after the flushed batch).
  store.flush();
  const timeoutMs =
    options.timeoutSeconds !== undefined && options.timeoutSeconds !== 0
      ? options.timeoutSeconds * 1000
      : MIN_REQUEST_TIMEOUT_MS * (1 + Math.random());
  const present = type.view
    ? (o: Parameters<TypedStore['present']>[0]) => typed.present(o)
    : undefined;
  const connection = new WatchConnection(
    sink,
    {
      type,
      namespace: route.namespace,
      matches: options.matches,
      encoding: request.encoding,
      bookmarks: options.allowWatchBookmarks,
      heartbeatMs: deps.timings.heartbeatMs,
      bookmarkMs: deps.timings.bookmarkMs,
      timeoutMs,
      currentRv: () => store.currentRv,
      afterRv: Math.max(requested, store.currentRv),
      present,
    },
    deps.clock,
  );
  if (!ready) {
    connection.open();
    connection.fail(tooLargeResourceVersion(requested, store.currentRv).toStatus());
    return;
  }
  let events: FilteredEvent[] = [];
  if (initial) {
    events = typed
      .list(route.namespace)
      .filter((s) => options.matches(s.object))
      .map((s) => ({ type: 'ADDED' as const, object: s.object, json: s.json }));
  } else if (requested > 0 && requested < store.currentRv) {
    const history = store.history.since(requested);
    if (history === undefined) {
      connection.open();
      connection.fail(
        expired(`too old resource version: ${requested} (${store.history.compactedRv})`).toStatus(),
      );
      return;
    }
    const key = typeKey(type);
    for (const revision of history) {
      if (
        revision.typeKey === key &&
        (route.namespace === undefined || revision.namespace === route.namespace)
      ) {
        const event = fromRevision(revision, options.matches, present);
        if (event) {
          events.push(event);
        }
      }
    }
  }
  connection.open();
  for (const event of events) {
    connection.send(event);
  }
  if (initial && options.allowWatchBookmarks) {
    connection.bookmark({
      [INITIAL_EVENTS_END]: 'true',
      [INITIAL_EVENTS_LIST_BLUEPRINT]: request.listBlueprint(),
    });
  }
  deps.hub.add(typeKey(type), connection);
}

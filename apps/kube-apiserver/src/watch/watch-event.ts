import type { KubeObject } from '../api/types';
import type { CommittedWrite, Revision } from '../storage/revision';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A write as seen through a watch's filter (namespace + selectors). */
export interface FilteredEvent {
  type: WatchEventType;
  object: KubeObject;
  /** The object's exact JSON when known (saves a stringify for plain JSON watches). */
  json?: string;
}

/**
 * Maps a write to the event a filtered watcher sees, as the apiserver cacher does: moving into the
 * selection is ADDED, moving out of it is DELETED.
 */
export function filterWrite(
  type: Revision['type'],
  object: KubeObject,
  previous: KubeObject | undefined,
  matches: (o: KubeObject) => boolean,
  json: string | undefined,
): FilteredEvent | undefined {
  if (type === 'DELETED') {
    return matches(object) ? { type, object, json } : undefined;
  }
  const now = matches(object);
  const before =
    type === 'MODIFIED' && previous !== undefined ? matches(previous) : type === 'MODIFIED';
  if (now && before && type === 'MODIFIED') {
    return { type: 'MODIFIED', object, json };
  }
  if (now) {
    return { type: 'ADDED', object, json };
  }
  if (before && type === 'MODIFIED') {
    return { type: 'DELETED', object, json };
  }
  return undefined;
}

export function fromCommitted(
  write: CommittedWrite,
  matches: (o: KubeObject) => boolean,
): FilteredEvent | undefined {
  return filterWrite(
    write.revision.type,
    write.object,
    write.previous,
    matches,
    write.revision.json,
  );
}

/** Replayed history entries carry JSON only; parse lazily. */
export function fromRevision(
  revision: Revision,
  matches: (o: KubeObject) => boolean,
): FilteredEvent | undefined {
  const object = JSON.parse(revision.json) as KubeObject;
  const previous = revision.prevJson ? (JSON.parse(revision.prevJson) as KubeObject) : undefined;
  return filterWrite(revision.type, object, previous, matches, revision.json);
}

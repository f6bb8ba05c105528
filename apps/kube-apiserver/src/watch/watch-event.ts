import type { KubeObject } from '../object/types';
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

/** `present` converts stored objects for views (then the stored JSON cannot be reused). */
export function fromCommitted(
  write: CommittedWrite,
  matches: (o: KubeObject) => boolean,
  present?: (o: KubeObject) => KubeObject,
): FilteredEvent | undefined {
  if (present) {
    const previous = write.previous && present(write.previous);
    return filterWrite(write.revision.type, present(write.object), previous, matches, undefined);
  }
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
  present?: (o: KubeObject) => KubeObject,
): FilteredEvent | undefined {
  const parse = (json: string) => {
    const stored = JSON.parse(json) as KubeObject;
    return present ? present(stored) : stored;
  };
  const object = parse(revision.json);
  const previous = revision.prevJson ? parse(revision.prevJson) : undefined;
  return filterWrite(revision.type, object, previous, matches, present ? undefined : revision.json);
}

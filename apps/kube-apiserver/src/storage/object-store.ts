import type BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '@app/common';
import type { KubeObject } from '../object/types';
import { RevisionHistory } from './revision-history';
import type { CommittedWrite, Revision, StoredObject, WriteType } from './revision';
import { internalError, requestEntityTooLarge } from '../errors/kube-error';

/** etcd's default --max-request-bytes: the largest object the storage takes. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export type WriteListener = (write: CommittedWrite) => void;
/** Told the writes of each committed batch, in rv order, once they are durable. */
export type CommitListener = (writes: CommittedWrite[]) => void;

/** The writes of one event-loop turn, committed as one SQLite transaction (group commit). */
interface Batch {
  writes: CommittedWrite[];
  /** Callbacks waiting for the batch: true once committed, false if the commit failed. */
  waiters: ((durable: boolean) => void)[];
}

interface Bucket {
  objects: Map<string, StoredObject>;
  /** Keys sorted by namespace/name; rebuilt lazily after adds and deletes (not on updates). */
  sortedKeys: string[] | null;
}

export interface WriteRequest {
  group: string;
  resource: string;
  type: WriteType;
  object: KubeObject;
  previous?: StoredObject;
}

const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * Current objects in memory plus the revisioned log in SQLite (kube_objects + kube_revisions);
 * the global resourceVersion is the log's rv, so one process owns a data dir.
 *
 * Group commit: a write applies to memory and runs its statements at once, inside a transaction
 * that stays open until the end of the event-loop turn, so the writes of all requests served in
 * one turn share one COMMIT (a commit costs several times an insert). Nothing may leave the
 * process before the batch is durable: HTTP responses wait in corked sockets (`whenDurable`),
 * watch events are fanned out by commit listeners. Write listeners (the in-process controllers)
 * still run synchronously with each write. A failed commit (an I/O error: keys never collide)
 * stops the store (`failure`): memory is then ahead of the disk, so further writes are refused
 * and the `etcd` health check (/livez, /readyz, /healthz) fails until a restart reloads the
 * disk's state, as etcd stops on a WAL failure.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly listeners = new Set<WriteListener>();
  private readonly commitListeners = new Set<CommitListener>();
  readonly history = new RevisionHistory();
  private rv = 0;
  private batch: Batch | undefined;
  private failed: Error | undefined;
  private readonly insertRevision: BetterSqlite3.Statement;
  private readonly upsertObject: BetterSqlite3.Statement;
  private readonly deleteObject: BetterSqlite3.Statement;
  private readonly begin: BetterSqlite3.Statement;
  private readonly commitBatch: BetterSqlite3.Statement;

  constructor(
    private readonly connection: BetterSqlite3.Database,
    private readonly clock: Clock,
  ) {
    this.insertRevision = connection.prepare(
      'INSERT INTO kube_revisions (rv, type, api_group, resource, namespace, name, created_at, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.upsertObject = connection.prepare(
      'INSERT INTO kube_objects (key, api_group, resource, namespace, name, uid, rv, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET uid = excluded.uid, rv = excluded.rv, json = excluded.json',
    );
    this.deleteObject = connection.prepare('DELETE FROM kube_objects WHERE key = ?');
    this.begin = connection.prepare('BEGIN');
    this.commitBatch = connection.prepare('COMMIT');
  }

  /** Why the store stopped (a failed commit), or undefined while it works. */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Loads current objects and the retained log from SQLite. */
  load(): void {
    const meta = this.connection
      .prepare("SELECT v FROM kube_meta WHERE k = 'compacted_rv'")
      .get() as { v: string } | undefined;
    this.history.compactedRv = meta ? Number(meta.v) : 0;
    const rows = this.connection
      .prepare('SELECT api_group, resource, namespace, name, rv, json FROM kube_objects')
      .all() as {
      api_group: string;
      resource: string;
      namespace: string;
      name: string;
      rv: number;
      json: string;
    }[];
    for (const row of rows) {
      const object = JSON.parse(row.json) as KubeObject;
      this.bucket(`${row.api_group}/${row.resource}`).objects.set(
        objectKey(row.namespace, row.name),
        {
          namespace: row.namespace,
          name: row.name,
          rv: row.rv,
          object,
          json: row.json,
        },
      );
    }
    const revisions = this.connection
      .prepare(
        'SELECT rv, type, api_group, resource, namespace, name, created_at, json FROM kube_revisions WHERE rv > ? ORDER BY rv',
      )
      .all(this.history.compactedRv) as {
      rv: number;
      type: WriteType;
      api_group: string;
      resource: string;
      namespace: string;
      name: string;
      created_at: number;
      json: string;
    }[];
    // The state before each retained revision is the previous retained revision of the same key
    // (lists at an older version need it); before the first one it is unknown.
    const lastJson = new Map<string, string>();
    for (const r of revisions) {
      const key = `${r.api_group}/${r.resource}/${objectKey(r.namespace, r.name)}`;
      const prevJson = lastJson.get(key);
      if (r.type === 'DELETED') {
        lastJson.delete(key);
      } else {
        lastJson.set(key, r.json);
      }
      this.history.append({
        prevJson: r.type === 'ADDED' ? undefined : prevJson,
        rv: r.rv,
        type: r.type,
        typeKey: `${r.api_group}/${r.resource}`,
        namespace: r.namespace,
        name: r.name,
        createdAt: r.created_at,
        json: r.json,
      });
    }
    const max = this.connection.prepare('SELECT MAX(rv) AS rv FROM kube_revisions').get() as {
      rv: number | null;
    };
    this.rv = Math.max(max.rv ?? 0, this.history.compactedRv);
  }

  /** The newest resourceVersion. */
  get currentRv(): number {
    return this.rv;
  }

  get(typeKey: string, namespace: string, name: string): StoredObject | undefined {
    return this.buckets.get(typeKey)?.objects.get(objectKey(namespace, name));
  }

  /**
   * Objects of a kind in etcd key order (`<namespace>/<name>`, byte-wise), optionally in one
   * namespace.
   */
  list(typeKey: string, namespace?: string): StoredObject[] {
    const bucket = this.buckets.get(typeKey);
    if (!bucket) {
      return [];
    }
    if (!bucket.sortedKeys) {
      bucket.sortedKeys = [...bucket.objects.keys()].sort(compare);
    }
    const out: StoredObject[] = [];
    for (const key of bucket.sortedKeys) {
      const o = bucket.objects.get(key);
      if (o && (namespace === undefined || o.namespace === namespace)) {
        out.push(o);
      }
    }
    return out;
  }

  /**
   * The objects of a kind as they were at `rv`, rebuilt from the current state and the retained
   * history; undefined when that version is no longer known (compacted, or before a restart).
   */
  listAt(typeKey: string, rv: number, namespace?: string): StoredObject[] | undefined {
    if (rv >= this.rv) {
      return this.list(typeKey, namespace);
    }
    const history = this.history.since(rv);
    if (!history) {
      return undefined;
    }
    const before = new Map<string, string | undefined>();
    for (let i = history.length - 1; i >= 0; i--) {
      const r = history[i];
      if (r.typeKey !== typeKey || (namespace !== undefined && r.namespace !== namespace)) {
        continue;
      }
      if (r.type !== 'ADDED' && r.prevJson === undefined) {
        return undefined;
      }
      before.set(objectKey(r.namespace, r.name), r.type === 'ADDED' ? undefined : r.prevJson);
    }
    const out = this.list(typeKey, namespace).filter(
      (o) => !before.has(objectKey(o.namespace, o.name)),
    );
    for (const json of before.values()) {
      if (json !== undefined) {
        const object = JSON.parse(json) as KubeObject;
        out.push({
          namespace: object.metadata.namespace ?? '',
          name: object.metadata.name ?? '',
          rv: Number(object.metadata.resourceVersion),
          object,
          json,
        });
      }
    }
    return out.sort((a, b) =>
      compare(objectKey(a.namespace, a.name), objectKey(b.namespace, b.name)),
    );
  }

  count(typeKey: string): number {
    return this.buckets.get(typeKey)?.objects.size ?? 0;
  }

  /** Persists one write as a new revision and tells the listeners. Returns the stored state. */
  write(request: WriteRequest): StoredObject {
    if (this.failed) {
      throw storageFailed(this.failed);
    }
    const { group, resource, type, object } = request;
    const typeKey = `${group}/${resource}`;
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const rv = this.rv + 1;
    object.metadata.resourceVersion = String(rv);
    const json = JSON.stringify(object);
    if (type !== 'DELETED' && Buffer.byteLength(json) > MAX_OBJECT_BYTES) {
      // etcd's --max-request-bytes (1.5 MiB): upstream answers the storage error, never stores.
      throw requestEntityTooLarge('etcdserver: request is too large');
    }
    const previous = request.previous ?? this.get(typeKey, namespace, name);
    const revision: Revision = {
      rv,
      type,
      typeKey,
      namespace,
      name,
      createdAt: this.clock.now(),
      json,
      prevJson: previous?.json,
    };
    const batch = this.openBatch();
    try {
      this.insertRevision.run(rv, type, group, resource, namespace, name, revision.createdAt, json);
      const rowKey = `${group}/${resource}/${namespace}/${name}`;
      if (type === 'DELETED') {
        this.deleteObject.run(rowKey);
      } else {
        const uid = object.metadata.uid ?? '';
        this.upsertObject.run(rowKey, group, resource, namespace, name, uid, rv, json);
      }
    } catch (error) {
      // Only I/O errors get here (keys never collide): the batch cannot be trusted any more.
      this.fail(error);
      throw storageFailed(this.failed ?? (error as Error));
    }
    this.rv = rv;
    const stored: StoredObject = { namespace, name, rv, object, json };
    const bucket = this.bucket(typeKey);
    const key = objectKey(namespace, name);
    if (type === 'DELETED') {
      bucket.objects.delete(key);
      bucket.sortedKeys = null;
    } else {
      if (!bucket.objects.has(key)) {
        bucket.sortedKeys = null;
      }
      bucket.objects.set(key, stored);
    }
    this.history.append(revision);
    const committed: CommittedWrite = { revision, object, previous: previous?.object };
    batch.writes.push(committed);
    for (const listener of this.listeners) {
      listener(committed);
    }
    return stored;
  }

  /** Called synchronously with each write, before it is committed (in-process controllers). */
  onWrite(listener: WriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with each batch once it is durable, in rv order (watch fan-out). */
  onCommit(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Runs `callback(true)` once every write made so far is durable — at once when none is
   * pending — or `callback(false)` when the batch holding them failed to commit.
   */
  whenDurable(callback: (durable: boolean) => void): void {
    if (this.batch) {
      this.batch.waiters.push(callback);
    } else {
      callback(true);
    }
  }

  /** Commits the open batch now (shutdown, a watch starting from memory); a no-op without one. */
  flush(): void {
    const batch = this.batch;
    if (!batch) {
      return;
    }
    try {
      this.commitBatch.run();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.batch = undefined;
    for (const listener of this.commitListeners) {
      listener(batch.writes);
    }
    for (const waiter of batch.waiters) {
      waiter(true);
    }
  }

  private openBatch(): Batch {
    if (!this.batch) {
      this.begin.run();
      this.batch = { writes: [], waiters: [] };
      // After the poll phase: every request whose body arrived in this turn has written by then.
      setImmediate(() => {
        if (this.connection.open) {
          this.flush();
        }
      });
    }
    return this.batch;
  }

  /** Rolls the open batch back and stops the store; its waiters learn it was not stored. */
  private fail(error: unknown): void {
    this.failed ??= error instanceof Error ? error : new Error(String(error));
    const batch = this.batch;
    this.batch = undefined;
    try {
      if (this.connection.inTransaction) {
        this.connection.exec('ROLLBACK');
      }
    } catch {
      // The connection is unusable; the store refuses everything from now on anyway.
    }
    for (const waiter of batch?.waiters ?? []) {
      waiter(false);
    }
  }

  /** Trims the log (memory and SQLite) per the retention rules; returns the compacted rv. */
  compact(keepRevisions: number, retainMs: number, maxRevisions = 200_000): number {
    const before = this.history.compactedRv;
    const after = this.history.compact(keepRevisions, this.clock.now() - retainMs, maxRevisions);
    if (after !== before) {
      this.persistCompaction(after);
    }
    return after;
  }

  /** Compacts everything up to the current revision (tests and the 410 acceptance check). */
  compactAll(): number {
    this.history.compactTo(this.rv);
    this.persistCompaction(this.rv);
    return this.rv;
  }

  private persistCompaction(rv: number): void {
    this.connection.transaction(() => {
      this.connection.prepare('DELETE FROM kube_revisions WHERE rv <= ?').run(rv);
      this.connection
        .prepare(
          "INSERT INTO kube_meta (k, v) VALUES ('compacted_rv', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
        )
        .run(String(rv));
    })();
  }

  private bucket(typeKey: string): Bucket {
    let bucket = this.buckets.get(typeKey);
    if (!bucket) {
      bucket = { objects: new Map(), sortedKeys: null };
      this.buckets.set(typeKey, bucket);
    }
    return bucket;
  }
}

function storageFailed(cause: Error) {
  return internalError(
    `storage failed: ${cause.message}; restart the api-server (writes not acknowledged were not stored)`,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AdjustableClock } from '@app/common';
import { openKubeDatabase, type KubeDatabase } from '../database/open-kube-database';
import type { KubeObject } from '../object/types';
import type { CommittedWrite } from './revision';
import { ObjectStore } from './object-store';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ObjectStore group commit', () => {
  let dir: string;
  let database: KubeDatabase;
  let store: ObjectStore;
  /** A second connection: sees only what is committed, as a restarted server would. */
  let reader: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-object-store-'));
    database = await openKubeDatabase(dir);
    store = new ObjectStore(database.db.connection, new AdjustableClock());
    store.load();
    reader = new Database(join(dir, 'kube.sqlite'), { readonly: true });
  });

  afterEach(async () => {
    reader.close();
    await database.dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const configMap = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
  });
  const create = (name: string) =>
    store.write({ group: '', resource: 'configmaps', type: 'ADDED', object: configMap(name) });
  const storedNames = () =>
    (reader.prepare('SELECT name FROM kube_objects ORDER BY rv').all() as { name: string }[]).map(
      (r) => r.name,
    );

  it('commits the writes of one event-loop turn together, then tells commit listeners and waiters', async () => {
    const batches: CommittedWrite[][] = [];
    store.onCommit((writes) => batches.push(writes));
    const durable: string[] = [];
    create('a');
    store.whenDurable((ok) => durable.push(`after a: ${String(ok)} ${storedNames().join(',')}`));
    create('b');
    store.whenDurable((ok) => durable.push(`after b: ${String(ok)} ${storedNames().join(',')}`));

    // Served from memory at once, but neither on disk nor announced before the turn ends.
    expect(store.get('/configmaps', 'default', 'b')?.rv).toBe(2);
    expect(storedNames()).toEqual([]);
    expect(batches).toEqual([]);
    expect(durable).toEqual([]);

    await turn();
    expect(storedNames()).toEqual(['a', 'b']);
    expect(batches.map((b) => b.map((w) => w.revision.rv))).toEqual([[1, 2]]);
    expect(durable).toEqual(['after a: true a,b', 'after b: true a,b']);

    // Nothing pending: at once.
    let now = false;
    store.whenDurable((ok) => (now = ok));
    expect(now).toBe(true);
  });

  it('commits at once on flush (shutdown, a watch starting)', () => {
    create('a');
    store.flush();
    expect(storedNames()).toEqual(['a']);
  });

  it('stops after a failed batch: nothing of it stored, its waiters told, later writes refused', async () => {
    const batches: CommittedWrite[][] = [];
    store.onCommit((writes) => batches.push(writes));
    create('a');
    let durable: boolean | undefined;
    store.whenDurable((ok) => (durable = ok));
    // Make the next statement fail inside the open batch (as an I/O error would).
    database.db.connection.exec('DROP TABLE kube_objects');
    expect(() => create('b')).toThrow(/Internal error occurred: storage failed: .*kube_objects/);
    expect(durable).toBe(false);
    expect(store.failure).toBeInstanceOf(Error);
    expect(() => create('c')).toThrow(/storage failed/);
    await turn();
    expect(batches).toEqual([]);
    // The rollback undid the whole batch (the dropped table is back, empty).
    expect(storedNames()).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKubeDatabase } from '../../apps/kube-apiserver/src/database/open-kube-database';

/**
 * The storage's ceiling for creates (issue 15): the api-server's own schema, pragmas and the two
 * statements one create commits (a revision row and the object row), one transaction per write,
 * with a stored ConfigMap of the bench's shape — raw better-sqlite3, no HTTP, no JSON parsing,
 * no validation. Returns inserts/s and the CPU time per insert (this process; the bench's
 * clients are idle meanwhile).
 */
export async function rawSqliteCreatesPerSecond(
  writes: number,
  object: object,
): Promise<{ perSecond: number; cpuMicrosPerWrite: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-raw-sqlite-'));
  const { dataSource, db } = await openKubeDatabase(dir);
  try {
    const insertRevision = db.connection.prepare(
      'INSERT INTO kube_revisions (rv, type, api_group, resource, namespace, name, created_at, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const upsertObject = db.connection.prepare(
      'INSERT INTO kube_objects (key, api_group, resource, namespace, name, uid, rv, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET uid = excluded.uid, rv = excluded.rv, json = excluded.json',
    );
    const commit = db.connection.transaction((rv: number, name: string, json: string) => {
      insertRevision.run(
        rv,
        'ADDED',
        '',
        'configmaps',
        'default',
        name,
        new Date().toISOString(),
        json,
      );
      upsertObject.run(
        `/configmaps/default/${name}`,
        '',
        'configmaps',
        'default',
        name,
        `uid-${rv}`,
        rv,
        json,
      );
    });
    // The same stored size as a created object: metadata filled in as the server would.
    const stored = (name: string, rv: number) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        ...object,
        metadata: {
          ...(object as { metadata?: object }).metadata,
          name,
          namespace: 'default',
          uid: `00000000-0000-4000-8000-${String(rv).padStart(12, '0')}`,
          resourceVersion: String(rv),
          creationTimestamp: new Date().toISOString(),
        },
      });
    for (let i = 1; i <= 1000; i++) {
      commit(i, `warm-${i}`, stored(`warm-${i}`, i)); // warm-up (JIT, page cache)
    }
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 1001; i <= 1000 + writes; i++) {
      commit(i, `raw-${i}`, stored(`raw-${i}`, i));
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      perSecond: (writes / (performance.now() - t0)) * 1000,
      cpuMicrosPerWrite: (cpu.user + cpu.system) / writes,
    };
  } finally {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { SqliteDatabase } from '@app/persistence';
import { tempDir } from '@app/testing';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { MaintenanceTicker, TickListener } from '../maintenance.ticker';
import { INLINE_CHECKPOINT_PAGES, WalCheckpoints } from './wal-checkpoints';

describe('WalCheckpoints', () => {
  const dir = tempDir('nimbus-wal-');
  const file = join(dir.path, 'db.sqlite');
  const connection = new Database(file);
  afterAll(() => {
    connection.close();
    dir.remove();
  });

  it('should raise the inline checkpoint ceiling and checkpoint the WAL on every tick', () => {
    connection.pragma('journal_mode = WAL');
    const listeners: TickListener[] = [];
    const ticker = {
      onTick: (l: TickListener) => listeners.push(l),
    } as unknown as MaintenanceTicker;
    new WalCheckpoints(new SqliteDatabase(connection), ticker).onModuleInit();
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(INLINE_CHECKPOINT_PAGES);

    connection.exec('CREATE TABLE t (x TEXT)');
    const insert = connection.prepare('INSERT INTO t (x) VALUES (?)');
    for (let i = 0; i < 2000; i++) {
      insert.run('x'.repeat(500));
    }
    // More than SQLite's default ceiling (1,000 pages) sits in the WAL: no commit checkpointed.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1000 * 4096);
    expect(statSync(file).size).toBeLessThan(100_000);

    listeners.forEach((tick) => tick(0));
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
  });
});

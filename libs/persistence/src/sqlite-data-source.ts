import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type MixedList } from 'typeorm';

export interface SqliteDataSourceOptions {
  /** File path, or `:memory:`. */
  database: string;
  entities: MixedList<string | (new () => unknown)>;
  migrations: MixedList<string | (new () => unknown)>;
  /** better-sqlite3 busy timeout in ms. */
  busyTimeoutMs?: number;
}

/** A TypeORM DataSource on better-sqlite3 with WAL and a busy timeout; never synchronizes. */
export function createSqliteDataSource(options: SqliteDataSourceOptions): DataSource {
  if (options.database !== ':memory:') {
    mkdirSync(dirname(options.database), { recursive: true, mode: 0o700 });
    makePrivate(options.database);
  }
  return new DataSource({
    type: 'better-sqlite3',
    database: options.database,
    entities: options.entities,
    migrations: options.migrations,
    synchronize: false,
    migrationsRun: false,
    enableWAL: options.database !== ':memory:',
    timeout: options.busyTimeoutMs ?? 5000,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // NORMAL is durable across application crashes in WAL mode and much faster than FULL.
      db.pragma('synchronous = NORMAL');
    },
  });
}

/**
 * The database holds secrets (token hashes, the page-token secret, Kubernetes Secrets): owner-only
 * (0600) before SQLite opens it, so its -wal and -shm files, which SQLite creates with the
 * database's mode, are private too.
 */
function makePrivate(file: string): void {
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', 0o600));
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) {
      chmodSync(path, 0o600);
    }
  }
}

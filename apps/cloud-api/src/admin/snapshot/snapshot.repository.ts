import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import Database from 'better-sqlite3';

/** A settings row the snapshot carries about itself; marks a file as a Nimbus snapshot. */
export const SNAPSHOT_META_KEY = 'snapshot_meta';

export interface SnapshotFileInfo {
  /** JSON of the meta row; undefined when the file is no Nimbus snapshot. */
  meta?: string;
  migrations: string[];
}

/** SQL of snapshots: a consistent copy out (VACUUM INTO) and a copy back in (ATTACH). */
@Injectable()
export class SnapshotRepository {
  constructor(private readonly db: SqliteDatabase) {}

  /** The schema version: the migrations applied, in order. */
  migrations(): string[] {
    return this.db
      .all<{ name: string }>('SELECT name FROM migrations ORDER BY id')
      .map((row) => row.name);
  }

  /** Writes a consistent copy of the whole database to `file`, marked with `meta`. */
  copyTo(file: string, meta: string): void {
    this.db.run('VACUUM INTO ?', [file]);
    const copy = new Database(file);
    try {
      copy
        .prepare(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(SNAPSHOT_META_KEY, meta);
    } finally {
      copy.close();
    }
  }

  /** What an uploaded file says about itself; throws when it is no SQLite database at all. */
  inspect(file: string): SnapshotFileInfo {
    const copy = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const has = (table: string) =>
        copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
        undefined;
      if (!has('settings') || !has('migrations')) {
        return { migrations: [] };
      }
      const meta = copy
        .prepare('SELECT value FROM settings WHERE key = ?')
        .get(SNAPSHOT_META_KEY) as { value: string } | undefined;
      const migrations = (
        copy.prepare('SELECT name FROM migrations ORDER BY id').all() as { name: string }[]
      ).map((row) => row.name);
      return { meta: meta?.value, migrations };
    } finally {
      copy.close();
    }
  }

  /**
   * Replaces every table's rows (but the migrations') with the snapshot's, in one transaction on
   * the live connection, so prepared statements and the TypeORM DataSource stay valid. Settings
   * named in `keepSettings` keep their live value.
   */
  restoreFrom(file: string, keepSettings: string[]): void {
    const conn = this.db.connection;
    conn.prepare('ATTACH DATABASE ? AS snapshot').run(file);
    try {
      const tables = (
        conn
          .prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'",
          )
          .all() as { name: string }[]
      ).map((row) => row.name);
      const kept = keepSettings.map((key) => [key, this.settingValue(key)] as const);
      this.db.transaction(() => {
        // Rows go in table by table; foreign keys are checked once, at commit.
        conn.pragma('defer_foreign_keys = ON');
        for (const table of tables) {
          conn.prepare(`DELETE FROM main."${table}"`).run();
        }
        for (const table of tables) {
          const columns = (
            conn.prepare(`PRAGMA main.table_info("${table}")`).all() as { name: string }[]
          )
            .map((column) => `"${column.name}"`)
            .join(', ');
          conn
            .prepare(
              `INSERT INTO main."${table}" (${columns}) SELECT ${columns} FROM snapshot."${table}"`,
            )
            .run();
        }
        for (const [key, value] of kept) {
          if (value !== undefined) {
            this.db.run(
              'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
              [key, value],
            );
          }
        }
      });
    } finally {
      conn.prepare('DETACH DATABASE snapshot').run();
    }
  }

  private settingValue(key: string): string | undefined {
    return this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key])?.value;
  }
}

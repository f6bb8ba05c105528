import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';

type Params = unknown[] | Record<string, unknown>;

/**
 * Synchronous access to the better-sqlite3 connection behind a TypeORM DataSource.
 *
 * Repositories use this on hot paths: statements are prepared once and cached, and a mutation
 * runs inside one synchronous `BEGIN IMMEDIATE` transaction, so no other request can interleave
 * with it in this process and other processes wait on SQLite's write lock.
 */
export class SqliteDatabase {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly connection: BetterSqlite3.Database) {}

  static fromDataSource(dataSource: DataSource): SqliteDatabase {
    const driver = dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database };
    return new SqliteDatabase(driver.databaseConnection);
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.connection.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  get<T>(sql: string, params: Params = []): T | undefined {
    return this.statement(sql).get(params) as T | undefined;
  }

  all<T>(sql: string, params: Params = []): T[] {
    return this.statement(sql).all(params) as T[];
  }

  run(sql: string, params: Params = []): BetterSqlite3.RunResult {
    return this.statement(sql).run(params);
  }

  /** Runs `fn` in a write transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.connection.transaction(fn).immediate();
  }

  get inTransaction(): boolean {
    return this.connection.inTransaction;
  }
}

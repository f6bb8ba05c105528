import type BetterSqlite3 from 'better-sqlite3';

/** The last server-side-apply intent per (object uid, field manager). */
export class ApplyIntentStore {
  private readonly getStmt: BetterSqlite3.Statement;
  private readonly putStmt: BetterSqlite3.Statement;
  private readonly deleteStmt: BetterSqlite3.Statement;
  private readonly allStmt: BetterSqlite3.Statement;

  constructor(connection: BetterSqlite3.Database) {
    this.getStmt = connection.prepare(
      'SELECT json FROM kube_apply_intents WHERE uid = ? AND manager = ?',
    );
    this.putStmt = connection.prepare(
      'INSERT INTO kube_apply_intents (uid, manager, json) VALUES (?, ?, ?) ON CONFLICT(uid, manager) DO UPDATE SET json = excluded.json',
    );
    this.deleteStmt = connection.prepare('DELETE FROM kube_apply_intents WHERE uid = ?');
    this.allStmt = connection.prepare('SELECT manager, json FROM kube_apply_intents WHERE uid = ?');
  }

  get(uid: string, manager: string): Record<string, unknown> | undefined {
    const row = this.getStmt.get(uid, manager) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as Record<string, unknown>) : undefined;
  }

  put(uid: string, manager: string, intent: unknown): void {
    this.putStmt.run(uid, manager, JSON.stringify(intent));
  }

  /** Every manager's last intent for one object. */
  all(uid: string): { manager: string; intent: Record<string, unknown> }[] {
    return (this.allStmt.all(uid) as { manager: string; json: string }[]).map((row) => ({
      manager: row.manager,
      intent: JSON.parse(row.json) as Record<string, unknown>,
    }));
  }

  forget(uid: string): void {
    this.deleteStmt.run(uid);
  }
}

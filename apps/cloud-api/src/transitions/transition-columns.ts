import type { SqliteDatabase } from '@app/persistence';

/**
 * Queries every table with a `transition_ends_at` column shares (instances, volumes, attachments,
 * routes, load balancers); each has an index on that column, so both are index lookups.
 */
export function hasDueTransition(db: SqliteDatabase, table: string, now: number): boolean {
  return (
    db.get(`SELECT 1 FROM ${table} WHERE transition_ends_at <= ? LIMIT 1`, [now]) !== undefined
  );
}

export function earliestTransitionEnd(db: SqliteDatabase, table: string): number | null {
  return db.get<{ at: number | null }>(`SELECT MIN(transition_ends_at) AS at FROM ${table}`)!.at;
}

import type { DataSource } from 'typeorm';

/** Replays migrations the way the apps do (foreign keys off while TypeORM rebuilds tables). */
export async function runMigrationsOnly(ds: DataSource): Promise<void> {
  await ds.query('PRAGMA foreign_keys = OFF');
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.query('PRAGMA foreign_keys = ON');
  }
}

import type { DataSource } from 'typeorm';

/**
 * Runs pending migrations with foreign keys off (TypeORM rebuilds SQLite tables for most ALTERs),
 * then fails fast if the entities still differ from the schema: a missing migration is a bug.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  await dataSource.query('PRAGMA foreign_keys = OFF');
  let applied: string[];
  try {
    const migrations = await dataSource.runMigrations({ transaction: 'each' });
    applied = migrations.map((m) => m.name);
  } finally {
    await dataSource.query('PRAGMA foreign_keys = ON');
  }
  const pending = await schemaDrift(dataSource);
  if (pending.length > 0) {
    throw new Error(
      `database schema does not match the entities; generate a migration (npm run migration:generate). Pending:\n${pending.join('\n')}`,
    );
  }
  return applied;
}

/** SQL that would bring the schema in line with the entities (empty when in sync). */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

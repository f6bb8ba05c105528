import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables whose rows are resources of the change stream: table, resource type, has a state. */
const RESOURCE_TABLES: [string, string, boolean][] = [
  ['instances', 'instance', true],
  ['volumes', 'volume', true],
  ['networks', 'network', false],
  ['routes', 'route', true],
  ['load_balancers', 'loadBalancer', true],
];

/** Instants at or above this are parked transitions (fault holds), not real times. */
const PARKED = 8_000_000_000_000_000;

/**
 * Hand-written (TypeORM's drift check ignores triggers): every insert, update and delete of a
 * resource row appends to resource_changes. A deletion takes the instant its transition was due
 * when it had one; otherwise `at` stays null and the change stream stamps it with the clock.
 * The cloud API re-runs these statements at start-up (IF NOT EXISTS), because a later migration
 * that rebuilds one of these tables (SQLite ALTER via copy) drops its triggers.
 */
export function resourceChangeTriggerStatements(): string[] {
  return RESOURCE_TABLES.flatMap(([table, type, hasState]) => {
    const state = (row: string) => (hasState ? `${row}.state` : 'NULL');
    const deletedAt =
      table === 'networks'
        ? 'NULL'
        : `CASE WHEN OLD.transition_ends_at < ${PARKED} THEN OLD.transition_ends_at END`;
    const insert = (row: string, change: string, oldState: string, newState: string, at: string) =>
      `INSERT INTO resource_changes (project_id, resource_type, resource_id, name, change, old_state, new_state, at)
       VALUES (${row}.project_id, '${type}', ${row}.id, ${row}.name, '${change}', ${oldState}, ${newState}, ${at});`;
    return [
      `CREATE TRIGGER IF NOT EXISTS "trg_${table}_created" AFTER INSERT ON "${table}" BEGIN
         ${insert('NEW', 'created', 'NULL', state('NEW'), 'NEW.updated_at')}
       END`,
      `CREATE TRIGGER IF NOT EXISTS "trg_${table}_updated" AFTER UPDATE ON "${table}" BEGIN
         ${insert('NEW', 'updated', state('OLD'), state('NEW'), 'NEW.updated_at')}
       END`,
      `CREATE TRIGGER IF NOT EXISTS "trg_${table}_deleted" AFTER DELETE ON "${table}" BEGIN
         ${insert('OLD', 'deleted', state('OLD'), 'NULL', deletedAt)}
       END`,
    ];
  });
}

export class ResourceChangeTriggers1795726438049 implements MigrationInterface {
  name = 'ResourceChangeTriggers1795726438049';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of resourceChangeTriggerStatements()) {
      await queryRunner.query(statement);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of RESOURCE_TABLES) {
      for (const change of ['created', 'updated', 'deleted']) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS "trg_${table}_${change}"`);
      }
    }
  }
}

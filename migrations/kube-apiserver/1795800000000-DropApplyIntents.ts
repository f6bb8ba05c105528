import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Server-side apply now keeps its state in metadata.managedFields, as upstream does. */
export class DropApplyIntents1795800000000 implements MigrationInterface {
  name = 'DropApplyIntents1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "kube_apply_intents"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kube_apply_intents" ("uid" text NOT NULL, "manager" text NOT NULL, "json" text NOT NULL, PRIMARY KEY ("uid", "manager"))`,
    );
  }
}

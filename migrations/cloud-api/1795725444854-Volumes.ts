import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Volumes1795725444854 implements MigrationInterface {
  name = 'Volumes1795725444854';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "volume_attachments" ("volume_id" varchar(32) NOT NULL, "instance_id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "device" varchar(16) NOT NULL, "state" varchar(16) NOT NULL, "transition_ends_at" integer, "created_at" integer NOT NULL, PRIMARY KEY ("volume_id", "instance_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_volume_attachments_transition" ON "volume_attachments" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_volume_attachments_instance_device" ON "volume_attachments" ("instance_id", "device") `,
    );
    await queryRunner.query(
      `CREATE TABLE "volumes" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "type" varchar(63) NOT NULL, "size_gib" integer NOT NULL, "multi_attach" boolean NOT NULL DEFAULT (0), "delete_on_termination" boolean NOT NULL DEFAULT (0), "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "labels" text NOT NULL DEFAULT ('{}'), "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_volumes_transition" ON "volumes" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_volumes_project_name_live" ON "volumes" ("project_id", "name") WHERE state <> 'deleting'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_volumes_project_seq" ON "volumes" ("project_id", "seq") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_volumes_id" ON "volumes" ("id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_volumes_id"`);
    await queryRunner.query(`DROP INDEX "ix_volumes_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_volumes_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ix_volumes_transition"`);
    await queryRunner.query(`DROP TABLE "volumes"`);
    await queryRunner.query(`DROP INDEX "ux_volume_attachments_instance_device"`);
    await queryRunner.query(`DROP INDEX "ix_volume_attachments_transition"`);
    await queryRunner.query(`DROP TABLE "volume_attachments"`);
  }
}

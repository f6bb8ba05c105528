import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Generated. Adds `instances.imported` and widens `instances.name` to 253 characters (imported
 * instances carry Kubernetes node names, DNS-1123 subdomains). TypeORM rebuilds the table once per
 * change; the rebuild drops the change-stream triggers, which the cloud API re-creates at start-up.
 */
export class ImportedInstances1796506272572 implements MigrationInterface {
  name = 'ImportedInstances1796506272572';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_instances_id"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_instances_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_private_ip"`);
    await queryRunner.query(`DROP INDEX "ix_instances_transition"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_instances" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "instance_type" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "private_ip" varchar(45) NOT NULL, "public_ip" varchar(45), "hostname" varchar(253) NOT NULL, "labels" text NOT NULL DEFAULT ('{}'), "user_data" text, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL, "terminated_at" integer, "imported" boolean NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_instances"("seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at") SELECT "seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at" FROM "instances"`,
    );
    await queryRunner.query(`DROP TABLE "instances"`);
    await queryRunner.query(`ALTER TABLE "temporary_instances" RENAME TO "instances"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_instances_id" ON "instances" ("id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_seq" ON "instances" ("project_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_instances_project_name_live" ON "instances" ("project_id", "name") WHERE state <> 'terminated'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_private_ip" ON "instances" ("project_id", "private_ip") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_transition" ON "instances" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "ux_instances_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ux_instances_id"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_seq"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_private_ip"`);
    await queryRunner.query(`DROP INDEX "ix_instances_transition"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_instances" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(253) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "instance_type" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "private_ip" varchar(45) NOT NULL, "public_ip" varchar(45), "hostname" varchar(253) NOT NULL, "labels" text NOT NULL DEFAULT ('{}'), "user_data" text, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL, "terminated_at" integer, "imported" boolean NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_instances"("seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at", "imported") SELECT "seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at", "imported" FROM "instances"`,
    );
    await queryRunner.query(`DROP TABLE "instances"`);
    await queryRunner.query(`ALTER TABLE "temporary_instances" RENAME TO "instances"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_instances_id" ON "instances" ("id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_seq" ON "instances" ("project_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_private_ip" ON "instances" ("project_id", "private_ip") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_transition" ON "instances" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_instances_project_name_live" ON "instances" ("project_id", "name") WHERE state <> 'terminated'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_instances_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ix_instances_transition"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_private_ip"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_instances_id"`);
    await queryRunner.query(`ALTER TABLE "instances" RENAME TO "temporary_instances"`);
    await queryRunner.query(
      `CREATE TABLE "instances" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "instance_type" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "private_ip" varchar(45) NOT NULL, "public_ip" varchar(45), "hostname" varchar(253) NOT NULL, "labels" text NOT NULL DEFAULT ('{}'), "user_data" text, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL, "terminated_at" integer, "imported" boolean NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "instances"("seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at", "imported") SELECT "seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at", "imported" FROM "temporary_instances"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_instances"`);
    await queryRunner.query(
      `CREATE INDEX "ix_instances_transition" ON "instances" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_private_ip" ON "instances" ("project_id", "private_ip") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_seq" ON "instances" ("project_id", "seq") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_instances_id" ON "instances" ("id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_instances_project_name_live" ON "instances" ("project_id", "name") WHERE state <> 'terminated'`,
    );
    await queryRunner.query(`DROP INDEX "ix_instances_transition"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_private_ip"`);
    await queryRunner.query(`DROP INDEX "ux_instances_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_instances_id"`);
    await queryRunner.query(`ALTER TABLE "instances" RENAME TO "temporary_instances"`);
    await queryRunner.query(
      `CREATE TABLE "instances" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "instance_type" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "private_ip" varchar(45) NOT NULL, "public_ip" varchar(45), "hostname" varchar(253) NOT NULL, "labels" text NOT NULL DEFAULT ('{}'), "user_data" text, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL, "terminated_at" integer)`,
    );
    await queryRunner.query(
      `INSERT INTO "instances"("seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at") SELECT "seq", "id", "project_id", "name", "zone", "region", "instance_type", "state", "next_state", "transition_ends_at", "private_ip", "public_ip", "hostname", "labels", "user_data", "version", "created_at", "updated_at", "terminated_at" FROM "temporary_instances"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_instances"`);
    await queryRunner.query(
      `CREATE INDEX "ix_instances_transition" ON "instances" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_private_ip" ON "instances" ("project_id", "private_ip") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_instances_project_name_live" ON "instances" ("project_id", "name") WHERE state <> 'terminated'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_instances_project_seq" ON "instances" ("project_id", "seq") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_instances_id" ON "instances" ("id") `);
  }
}

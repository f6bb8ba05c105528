import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795724898776 implements MigrationInterface {
  name = 'Init1795724898776';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "address_allocations" ("pool" varchar(128) NOT NULL, "address" varchar(45) NOT NULL, "owner_id" varchar(64) NOT NULL, "allocated_at" integer NOT NULL, PRIMARY KEY ("pool", "address"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_address_allocations_owner" ON "address_allocations" ("owner_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "address_pools" ("pool" varchar(128) PRIMARY KEY NOT NULL, "next_offset" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("project_id" varchar(63) NOT NULL, "key" varchar(255) NOT NULL, "fingerprint" varchar(64) NOT NULL, "status_code" integer NOT NULL, "response_body" text NOT NULL, "response_headers" text NOT NULL, "created_at" integer NOT NULL, "expires_at" integer NOT NULL, PRIMARY KEY ("project_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_keys_expires" ON "idempotency_keys" ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "instances" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "zone" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "instance_type" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "private_ip" varchar(45) NOT NULL, "public_ip" varchar(45), "hostname" varchar(253) NOT NULL, "labels" text NOT NULL DEFAULT ('{}'), "user_data" text, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL, "terminated_at" integer)`,
    );
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
    await queryRunner.query(
      `CREATE TABLE "operations" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "kind" varchar(63) NOT NULL, "target_type" varchar(32) NOT NULL, "target_id" varchar(64) NOT NULL, "target_name" varchar(253) NOT NULL, "status" varchar(16) NOT NULL, "error" text, "created_at" integer NOT NULL, "completes_at" integer NOT NULL, "done_at" integer)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operations_running" ON "operations" ("completes_at") WHERE status = 'running'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_operations_project_seq" ON "operations" ("project_id", "seq") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_operations_id" ON "operations" ("id") `);
    await queryRunner.query(
      `CREATE TABLE "projects" ("id" varchar(63) PRIMARY KEY NOT NULL, "display_name" varchar(256) NOT NULL, "created_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "tokens" ("id" varchar(32) PRIMARY KEY NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "token_hash" varchar(64) NOT NULL, "admin" boolean NOT NULL DEFAULT (0), "created_at" integer NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_tokens_hash" ON "tokens" ("token_hash") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_tokens_project_name" ON "tokens" ("project_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "settings" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL)`,
    );
    await queryRunner.query(`DROP INDEX "ux_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "ux_tokens_project_name"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_tokens" ("id" varchar(32) PRIMARY KEY NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "token_hash" varchar(64) NOT NULL, "admin" boolean NOT NULL DEFAULT (0), "created_at" integer NOT NULL, CONSTRAINT "FK_c62fc4ab4686bb2b90a4505760b" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_tokens"("id", "project_id", "name", "token_hash", "admin", "created_at") SELECT "id", "project_id", "name", "token_hash", "admin", "created_at" FROM "tokens"`,
    );
    await queryRunner.query(`DROP TABLE "tokens"`);
    await queryRunner.query(`ALTER TABLE "temporary_tokens" RENAME TO "tokens"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_tokens_hash" ON "tokens" ("token_hash") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_tokens_project_name" ON "tokens" ("project_id", "name") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_tokens_project_name"`);
    await queryRunner.query(`DROP INDEX "ux_tokens_hash"`);
    await queryRunner.query(`ALTER TABLE "tokens" RENAME TO "temporary_tokens"`);
    await queryRunner.query(
      `CREATE TABLE "tokens" ("id" varchar(32) PRIMARY KEY NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "token_hash" varchar(64) NOT NULL, "admin" boolean NOT NULL DEFAULT (0), "created_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "tokens"("id", "project_id", "name", "token_hash", "admin", "created_at") SELECT "id", "project_id", "name", "token_hash", "admin", "created_at" FROM "temporary_tokens"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_tokens"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_tokens_project_name" ON "tokens" ("project_id", "name") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_tokens_hash" ON "tokens" ("token_hash") `);
    await queryRunner.query(`DROP TABLE "settings"`);
    await queryRunner.query(`DROP INDEX "ux_tokens_project_name"`);
    await queryRunner.query(`DROP INDEX "ux_tokens_hash"`);
    await queryRunner.query(`DROP TABLE "tokens"`);
    await queryRunner.query(`DROP TABLE "projects"`);
    await queryRunner.query(`DROP INDEX "ux_operations_id"`);
    await queryRunner.query(`DROP INDEX "ix_operations_project_seq"`);
    await queryRunner.query(`DROP INDEX "ix_operations_running"`);
    await queryRunner.query(`DROP TABLE "operations"`);
    await queryRunner.query(`DROP INDEX "ux_instances_id"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_instances_project_name_live"`);
    await queryRunner.query(`DROP INDEX "ix_instances_project_private_ip"`);
    await queryRunner.query(`DROP INDEX "ix_instances_transition"`);
    await queryRunner.query(`DROP TABLE "instances"`);
    await queryRunner.query(`DROP INDEX "ix_idempotency_keys_expires"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP TABLE "address_pools"`);
    await queryRunner.query(`DROP INDEX "ix_address_allocations_owner"`);
    await queryRunner.query(`DROP TABLE "address_allocations"`);
  }
}

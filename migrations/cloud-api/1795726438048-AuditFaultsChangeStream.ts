import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditFaultsChangeStream1795726438048 implements MigrationInterface {
  name = 'AuditFaultsChangeStream1795726438048';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "at" integer NOT NULL, "project_id" varchar(63), "token_name" varchar(63), "operation" varchar(127), "resource_type" varchar(63), "resource_id" varchar(128), "method" varchar(16) NOT NULL, "path" varchar(2048) NOT NULL, "status" integer NOT NULL, "latency_ms" real NOT NULL, "request_id" varchar(128) NOT NULL, "idempotency_key" varchar(255), "fault_rule_id" varchar(32), "out_of_band" boolean NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_log_resource" ON "audit_log" ("resource_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_log_at" ON "audit_log" ("at") `);
    await queryRunner.query(
      `CREATE TABLE "resource_changes" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "project_id" varchar(63) NOT NULL, "resource_type" varchar(32) NOT NULL, "resource_id" varchar(64) NOT NULL, "name" varchar(63) NOT NULL, "change" varchar(16) NOT NULL, "old_state" varchar(16), "new_state" varchar(16), "at" integer)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_resource_changes_at" ON "resource_changes" ("at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_resource_changes_project_seq" ON "resource_changes" ("project_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "fault_holds" ("operation_id" varchar(32) PRIMARY KEY NOT NULL, "rule_id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "target_type" varchar(32) NOT NULL, "target_id" varchar(64) NOT NULL, "fail_at" integer, "error" text, "created_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_fault_holds_fail_at" ON "fault_holds" ("fail_at") WHERE fail_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_fault_holds_rule" ON "fault_holds" ("rule_id") `);
    await queryRunner.query(
      `CREATE TABLE "fault_rules" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "description" varchar(255), "spec" text NOT NULL, "matched_calls" integer NOT NULL DEFAULT (0), "hits" integer NOT NULL DEFAULT (0), "created_at" integer NOT NULL, "last_hit_at" integer)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_fault_rules_id" ON "fault_rules" ("id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_fault_rules_id"`);
    await queryRunner.query(`DROP TABLE "fault_rules"`);
    await queryRunner.query(`DROP INDEX "ix_fault_holds_rule"`);
    await queryRunner.query(`DROP INDEX "ix_fault_holds_fail_at"`);
    await queryRunner.query(`DROP TABLE "fault_holds"`);
    await queryRunner.query(`DROP INDEX "ix_resource_changes_project_seq"`);
    await queryRunner.query(`DROP INDEX "ix_resource_changes_at"`);
    await queryRunner.query(`DROP TABLE "resource_changes"`);
    await queryRunner.query(`DROP INDEX "ix_audit_log_at"`);
    await queryRunner.query(`DROP INDEX "ix_audit_log_resource"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
  }
}

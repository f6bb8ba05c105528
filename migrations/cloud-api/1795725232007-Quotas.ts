import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Quotas1795725232007 implements MigrationInterface {
  name = 'Quotas1795725232007';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "quota_limits" ("project_id" varchar(63) NOT NULL, "metric" varchar(64) NOT NULL, "limit_value" integer NOT NULL, PRIMARY KEY ("project_id", "metric"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "quota_usage" ("project_id" varchar(63) NOT NULL, "usage_key" varchar(128) NOT NULL, "used" integer NOT NULL DEFAULT (0), PRIMARY KEY ("project_id", "usage_key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "quota_usage"`);
    await queryRunner.query(`DROP TABLE "quota_limits"`);
  }
}

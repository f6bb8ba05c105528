import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimitBuckets1795726468706 implements MigrationInterface {
  name = 'RateLimitBuckets1795726468706';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rate_limit_buckets" ("project_id" varchar(63) NOT NULL, "op_class" varchar(32) NOT NULL, "tokens" real NOT NULL, "updated_at" integer NOT NULL, "granted" integer NOT NULL, PRIMARY KEY ("project_id", "op_class"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit_buckets"`);
  }
}

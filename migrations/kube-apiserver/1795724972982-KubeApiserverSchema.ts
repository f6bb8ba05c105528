import { MigrationInterface, QueryRunner } from 'typeorm';

export class KubeApiserverSchema1795724972982 implements MigrationInterface {
  name = 'KubeApiserverSchema1795724972982';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kube_apply_intents" ("uid" text NOT NULL, "manager" text NOT NULL, "json" text NOT NULL, PRIMARY KEY ("uid", "manager"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "kube_meta" ("k" text PRIMARY KEY NOT NULL, "v" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "kube_objects" ("key" text PRIMARY KEY NOT NULL, "api_group" text NOT NULL, "resource" text NOT NULL, "namespace" text NOT NULL, "name" text NOT NULL, "uid" text NOT NULL, "rv" integer NOT NULL, "json" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "kube_objects_list" ON "kube_objects" ("api_group", "resource", "namespace", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "kube_revisions" ("rv" integer PRIMARY KEY NOT NULL, "type" text NOT NULL, "api_group" text NOT NULL, "resource" text NOT NULL, "namespace" text NOT NULL, "name" text NOT NULL, "created_at" integer NOT NULL, "json" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "kube_revisions_created" ON "kube_revisions" ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "kube_revisions_created"`);
    await queryRunner.query(`DROP TABLE "kube_revisions"`);
    await queryRunner.query(`DROP INDEX "kube_objects_list"`);
    await queryRunner.query(`DROP TABLE "kube_objects"`);
    await queryRunner.query(`DROP TABLE "kube_meta"`);
    await queryRunner.query(`DROP TABLE "kube_apply_intents"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NetworksRoutesLoadBalancers1795725473616 implements MigrationInterface {
  name = 'NetworksRoutesLoadBalancers1795725473616';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "load_balancer_backends" ("load_balancer_id" varchar(32) NOT NULL, "instance_id" varchar(32) NOT NULL, "instance_ip" varchar(45) NOT NULL, "position" integer NOT NULL, PRIMARY KEY ("load_balancer_id", "instance_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_load_balancer_backends_instance" ON "load_balancer_backends" ("instance_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "load_balancers" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "region" varchar(63) NOT NULL, "state" varchar(16) NOT NULL, "next_state" varchar(16), "transition_ends_at" integer, "spec" text NOT NULL, "ip_families" varchar(32) NOT NULL, "public_ipv4" varchar(15), "public_ipv6" varchar(45), "labels" text NOT NULL DEFAULT ('{}'), "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_load_balancers_transition" ON "load_balancers" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_load_balancers_project_seq" ON "load_balancers" ("project_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_load_balancers_project_name" ON "load_balancers" ("project_id", "name") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_load_balancers_id" ON "load_balancers" ("id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "networks" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "name" varchar(63) NOT NULL, "cidr" varchar(18) NOT NULL, "is_default" integer NOT NULL DEFAULT (0), "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_networks_project_default" ON "networks" ("project_id") WHERE is_default = 1`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_networks_project_seq" ON "networks" ("project_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_networks_project_name" ON "networks" ("project_id", "name") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_networks_id" ON "networks" ("id") `);
    await queryRunner.query(
      `CREATE TABLE "routes" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "id" varchar(32) NOT NULL, "project_id" varchar(63) NOT NULL, "network_id" varchar(32) NOT NULL, "name" varchar(63) NOT NULL, "destination_cidr" varchar(43) NOT NULL, "ip_family" integer NOT NULL, "range_start" varchar(32) NOT NULL, "range_end" varchar(32) NOT NULL, "next_hop_instance_id" varchar(32) NOT NULL, "next_hop_ip" varchar(45) NOT NULL, "description" varchar(255), "state" varchar(16) NOT NULL, "transition_ends_at" integer, "version" integer NOT NULL DEFAULT (1), "created_at" integer NOT NULL, "updated_at" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routes_transition" ON "routes" ("transition_ends_at") WHERE transition_ends_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routes_next_hop" ON "routes" ("next_hop_instance_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routes_network_range" ON "routes" ("network_id", "ip_family", "range_start") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_routes_network_seq" ON "routes" ("network_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_routes_network_name" ON "routes" ("network_id", "name") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_routes_network_destination" ON "routes" ("network_id", "destination_cidr") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_routes_id" ON "routes" ("id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ux_routes_id"`);
    await queryRunner.query(`DROP INDEX "ux_routes_network_destination"`);
    await queryRunner.query(`DROP INDEX "ux_routes_network_name"`);
    await queryRunner.query(`DROP INDEX "ix_routes_network_seq"`);
    await queryRunner.query(`DROP INDEX "ix_routes_network_range"`);
    await queryRunner.query(`DROP INDEX "ix_routes_next_hop"`);
    await queryRunner.query(`DROP INDEX "ix_routes_transition"`);
    await queryRunner.query(`DROP TABLE "routes"`);
    await queryRunner.query(`DROP INDEX "ux_networks_id"`);
    await queryRunner.query(`DROP INDEX "ux_networks_project_name"`);
    await queryRunner.query(`DROP INDEX "ix_networks_project_seq"`);
    await queryRunner.query(`DROP INDEX "ux_networks_project_default"`);
    await queryRunner.query(`DROP TABLE "networks"`);
    await queryRunner.query(`DROP INDEX "ux_load_balancers_id"`);
    await queryRunner.query(`DROP INDEX "ux_load_balancers_project_name"`);
    await queryRunner.query(`DROP INDEX "ix_load_balancers_project_seq"`);
    await queryRunner.query(`DROP INDEX "ix_load_balancers_transition"`);
    await queryRunner.query(`DROP TABLE "load_balancers"`);
    await queryRunner.query(`DROP INDEX "ix_load_balancer_backends_instance"`);
    await queryRunner.query(`DROP TABLE "load_balancer_backends"`);
  }
}

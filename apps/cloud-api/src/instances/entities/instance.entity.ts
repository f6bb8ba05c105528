import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A virtual machine. `state` is the materialised state; while a transition is under way
 * `nextState` and `transitionEndsAt` say where it goes and when (computed from the clock,
 * materialised by the transition settler — there are no per-resource timers).
 */
@Entity({ name: 'instances' })
@Index('ux_instances_id', ['id'], { unique: true })
@Index('ix_instances_project_seq', ['projectId', 'seq'])
@Index('ux_instances_project_name_live', ['projectId', 'name'], {
  unique: true,
  where: "state <> 'terminated'",
})
@Index('ix_instances_project_private_ip', ['projectId', 'privateIp'])
@Index('ix_instances_transition', ['transitionEndsAt'], { where: 'transition_ends_at IS NOT NULL' })
export class InstanceEntity {
  /** Insertion order: the stable sort key for paging. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  /** A DNS-1123 label; imported instances carry their node name (a subdomain, up to 253). */
  @Column({ type: 'varchar', length: 253 })
  name: string;

  @Column({ type: 'varchar', length: 63 })
  zone: string;

  @Column({ type: 'varchar', length: 63 })
  region: string;

  @Column({ name: 'instance_type', type: 'varchar', length: 63 })
  instanceType: string;

  @Column({ type: 'varchar', length: 16 })
  state: string;

  @Column({ name: 'next_state', type: 'varchar', length: 16, nullable: true })
  nextState: string | null;

  @Column({ name: 'transition_ends_at', type: 'integer', nullable: true })
  transitionEndsAt: number | null;

  @Column({ name: 'private_ip', type: 'varchar', length: 45 })
  privateIp: string;

  @Column({ name: 'public_ip', type: 'varchar', length: 45, nullable: true })
  publicIp: string | null;

  @Column({ type: 'varchar', length: 253 })
  hostname: string;

  /** JSON object of string labels. */
  @Column({ type: 'text', default: '{}' })
  labels: string;

  @Column({ name: 'user_data', type: 'text', nullable: true })
  userData: string | null;

  /** A machine running outside Nimbus (POST /v1/instances:import): never stopped or started by it. */
  @Column({ type: 'boolean', default: false })
  imported: boolean;

  /** Bumped on every change; the etag derives from it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;

  @Column({ name: 'terminated_at', type: 'integer', nullable: true })
  terminatedAt: number | null;
}

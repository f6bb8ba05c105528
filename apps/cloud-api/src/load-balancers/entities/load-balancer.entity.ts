import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A network load balancer. The replaceable part (listeners, health check, algorithm, affinity,
 * source ranges) is one JSON document, as PUT replaces it whole; backends have their own table
 * so a terminated instance can be dropped from every load balancer with one indexed delete.
 */
@Entity({ name: 'load_balancers' })
@Index('ux_load_balancers_id', ['id'], { unique: true })
@Index('ux_load_balancers_project_name', ['projectId', 'name'], { unique: true })
@Index('ix_load_balancers_project_seq', ['projectId', 'seq'])
@Index('ix_load_balancers_transition', ['transitionEndsAt'], {
  where: 'transition_ends_at IS NOT NULL',
})
export class LoadBalancerEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  @Column({ type: 'varchar', length: 63 })
  region: string;

  @Column({ type: 'varchar', length: 16 })
  state: string;

  /** Where the current transition goes; `deleted` removes the row. */
  @Column({ name: 'next_state', type: 'varchar', length: 16, nullable: true })
  nextState: string | null;

  @Column({ name: 'transition_ends_at', type: 'integer', nullable: true })
  transitionEndsAt: number | null;

  /** JSON: listeners, healthCheck, algorithm, sessionAffinity, allowedSourceRanges. */
  @Column({ type: 'text' })
  spec: string;

  /** JSON array, e.g. ["IPv4","IPv6"]. */
  @Column({ name: 'ip_families', type: 'varchar', length: 32 })
  ipFamilies: string;

  @Column({ name: 'public_ipv4', type: 'varchar', length: 15, nullable: true })
  publicIpv4: string | null;

  @Column({ name: 'public_ipv6', type: 'varchar', length: 45, nullable: true })
  publicIpv6: string | null;

  @Column({ type: 'text', default: '{}' })
  labels: string;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;
}

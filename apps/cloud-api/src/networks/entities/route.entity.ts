import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A route of a network's route table. The destination is stored canonically (for the uniqueness
 * rule) and as a numeric range in fixed-width hex (so overlaps are one indexed range query).
 */
@Entity({ name: 'routes' })
@Index('ux_routes_id', ['id'], { unique: true })
@Index('ux_routes_network_destination', ['networkId', 'destinationCidr'], { unique: true })
@Index('ux_routes_network_name', ['networkId', 'name'], { unique: true })
@Index('ix_routes_network_seq', ['networkId', 'seq'])
@Index('ix_routes_network_range', ['networkId', 'ipFamily', 'rangeStart'])
@Index('ix_routes_next_hop', ['nextHopInstanceId'])
@Index('ix_routes_transition', ['transitionEndsAt'], { where: 'transition_ends_at IS NOT NULL' })
export class RouteEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ name: 'network_id', type: 'varchar', length: 32 })
  networkId: string;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  @Column({ name: 'destination_cidr', type: 'varchar', length: 43 })
  destinationCidr: string;

  @Column({ name: 'ip_family', type: 'integer' })
  ipFamily: number;

  @Column({ name: 'range_start', type: 'varchar', length: 32 })
  rangeStart: string;

  @Column({ name: 'range_end', type: 'varchar', length: 32 })
  rangeEnd: string;

  @Column({ name: 'next_hop_instance_id', type: 'varchar', length: 32 })
  nextHopInstanceId: string;

  @Column({ name: 'next_hop_ip', type: 'varchar', length: 45 })
  nextHopIp: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  /** creating | active | blackhole (materialised when the next hop terminates). */
  @Column({ type: 'varchar', length: 16 })
  state: string;

  @Column({ name: 'transition_ends_at', type: 'integer', nullable: true })
  transitionEndsAt: number | null;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;
}

import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A project's private network. Each project has one default network holding the zone subnets. */
@Entity({ name: 'networks' })
@Index('ux_networks_id', ['id'], { unique: true })
@Index('ux_networks_project_name', ['projectId', 'name'], { unique: true })
@Index('ix_networks_project_seq', ['projectId', 'seq'])
@Index('ux_networks_project_default', ['projectId'], { unique: true, where: 'is_default = 1' })
export class NetworkEntity {
  /** Insertion order: the stable sort key for paging. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  @Column({ type: 'varchar', length: 18 })
  cidr: string;

  @Column({ name: 'is_default', type: 'integer', default: 0 })
  isDefault: number;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;
}

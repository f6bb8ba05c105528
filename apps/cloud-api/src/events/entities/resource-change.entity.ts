import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A change of a resource row, appended by SQLite triggers (migration ResourceChangeTriggers) on
 * instances, volumes, networks, routes and load balancers — whoever wrote it: a request, the
 * clock settling a transition, an out-of-band call or another process. `seq` is the event id.
 */
@Entity({ name: 'resource_changes' })
@Index('ix_resource_changes_project_seq', ['projectId', 'seq'])
@Index('ix_resource_changes_at', ['at'])
export class ResourceChangeEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 32 })
  resourceType: string;

  @Column({ name: 'resource_id', type: 'varchar', length: 64 })
  resourceId: string;

  @Column({ type: 'varchar', length: 63 })
  name: string;

  /** created | updated | deleted */
  @Column({ type: 'varchar', length: 16 })
  change: string;

  @Column({ name: 'old_state', type: 'varchar', length: 16, nullable: true })
  oldState: string | null;

  @Column({ name: 'new_state', type: 'varchar', length: 16, nullable: true })
  newState: string | null;

  /** Clock time of the change; a deletion without one is stamped when first fanned out. */
  @Column({ type: 'integer', nullable: true })
  at: number | null;
}

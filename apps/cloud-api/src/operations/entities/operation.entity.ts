import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An asynchronous operation started by a mutation; done when the clock passes `completesAt`. */
@Entity({ name: 'operations' })
@Index('ux_operations_id', ['id'], { unique: true })
@Index('ix_operations_project_seq', ['projectId', 'seq'])
@Index('ix_operations_running', ['completesAt'], { where: "status = 'running'" })
export class OperationEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  /** e.g. `instances.create`, `instances.stop`. */
  @Column({ type: 'varchar', length: 63 })
  kind: string;

  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64 })
  targetId: string;

  @Column({ name: 'target_name', type: 'varchar', length: 253 })
  targetName: string;

  /** running | done | failed */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  /** JSON problem details when failed. */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'completes_at', type: 'integer' })
  completesAt: number;

  @Column({ name: 'done_at', type: 'integer', nullable: true })
  doneAt: number | null;
}

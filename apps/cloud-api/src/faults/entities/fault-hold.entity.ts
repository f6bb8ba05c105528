import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An operation a stuckOperation or failedOperation fault holds: its transition is parked (the
 * resource's `transition_ends_at` and the operation's `completes_at` set far in the future) until
 * the rule is deleted (stuck) or until `fail_at`, when it fails (failed).
 */
@Entity({ name: 'fault_holds' })
@Index('ix_fault_holds_rule', ['ruleId'])
@Index('ix_fault_holds_fail_at', ['failAt'], { where: 'fail_at IS NOT NULL' })
export class FaultHoldEntity {
  @PrimaryColumn({ name: 'operation_id', type: 'varchar', length: 32 })
  operationId: string;

  @Column({ name: 'rule_id', type: 'varchar', length: 32 })
  ruleId: string;

  @Column({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  /** The operation's target type: instance, volume, route, load-balancer. */
  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64 })
  targetId: string;

  /** When a failedOperation hold fails (the operation's original end); null for stuck holds. */
  @Column({ name: 'fail_at', type: 'integer', nullable: true })
  failAt: number | null;

  /** JSON problem the failed operation carries. */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;
}

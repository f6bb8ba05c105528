import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One API call, as recorded by the audit log (kept for `--audit-retention` of clock time). */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_at', ['at'])
@Index('ix_audit_log_resource', ['resourceId'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  /** Clock time the call arrived (ms since the epoch). */
  @Column({ type: 'integer' })
  at: number;

  @Column({ name: 'project_id', type: 'varchar', length: 63, nullable: true })
  projectId: string | null;

  @Column({ name: 'token_name', type: 'varchar', length: 63, nullable: true })
  tokenName: string | null;

  /** e.g. `instances.create`; null for unknown routes. */
  @Column({ type: 'varchar', length: 127, nullable: true })
  operation: string | null;

  @Column({ name: 'resource_type', type: 'varchar', length: 63, nullable: true })
  resourceType: string | null;

  @Column({ name: 'resource_id', type: 'varchar', length: 128, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 16 })
  method: string;

  @Column({ type: 'varchar', length: 2048 })
  path: string;

  /** HTTP status; 0 when no response was sent (hang, reset, client gone). */
  @Column({ type: 'integer' })
  status: number;

  @Column({ name: 'latency_ms', type: 'real' })
  latencyMs: number;

  @Column({ name: 'request_id', type: 'varchar', length: 128 })
  requestId: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'fault_rule_id', type: 'varchar', length: 32, nullable: true })
  faultRuleId: string | null;

  @Column({ name: 'out_of_band', type: 'boolean', default: false })
  outOfBand: boolean;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A token bucket of one project and operation class. Refilled lazily from `updated_at` by the
 * (fake) clock on each take, in one upsert, so every process on the database shares it.
 */
@Entity({ name: 'rate_limit_buckets' })
export class RateLimitBucketEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @PrimaryColumn({ name: 'op_class', type: 'varchar', length: 32 })
  opClass: string;

  /** Tokens left after the last take (fractional: refill is continuous). */
  @Column({ type: 'real' })
  tokens: number;

  @Column({ name: 'updated_at', type: 'integer' })
  updatedAt: number;

  /** Whole tokens the last take got (a process leases several at once; read back by the same statement). */
  @Column({ type: 'integer' })
  granted: number;
}

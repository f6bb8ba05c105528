import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An admin fault rule; evaluated in creation order, the first rule that fires wins. */
@Entity({ name: 'fault_rules' })
@Index('ux_fault_rules_id', ['id'], { unique: true })
export class FaultRuleEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  /** JSON `{ match, trigger, effect }` as validated. */
  @Column({ type: 'text' })
  spec: string;

  /** Matching calls seen (the n of nthCall / firstCalls and of the seeded draws). */
  @Column({ name: 'matched_calls', type: 'integer', default: 0 })
  matchedCalls: number;

  @Column({ type: 'integer', default: 0 })
  hits: number;

  @Column({ name: 'created_at', type: 'integer' })
  createdAt: number;

  @Column({ name: 'last_hit_at', type: 'integer', nullable: true })
  lastHitAt: number | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A per-project override of a default quota limit. */
@Entity({ name: 'quota_limits' })
export class QuotaLimitEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  metric: string;

  @Column({ name: 'limit_value', type: 'integer' })
  limitValue: number;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How much of a quota a project uses, kept as a counter updated in the same transaction as the
 * change (so checks are O(1) and no race can push usage past a limit).
 * `usageKey` is the metric, or `metric/scope` for scoped quotas (e.g. `routesPerNetwork/net-…`).
 */
@Entity({ name: 'quota_usage' })
export class QuotaUsageEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 63 })
  projectId: string;

  @PrimaryColumn({ name: 'usage_key', type: 'varchar', length: 128 })
  usageKey: string;

  @Column({ type: 'integer', default: 0 })
  used: number;
}

import { Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { CloudApiConfig, ConfigError } from '@app/config';
import {
  DEFAULT_QUOTAS,
  parseQuotaOverrides,
  QUOTA_METRICS,
  type QuotaMetric,
} from './quota-metrics';
import { QuotasRepository } from './quotas.repository';

export interface QuotaView {
  metric: QuotaMetric;
  scope?: string;
  limit: number;
  usage: number;
}

/**
 * Per-project quotas. `consume` runs inside the creating transaction: it checks and counts in one
 * step, so concurrent creates cannot push usage past a limit (SQLite serialises writers).
 */
@Injectable()
export class QuotasService {
  private readonly defaults: Record<QuotaMetric, number>;

  constructor(
    private readonly quotas: QuotasRepository,
    config: CloudApiConfig,
  ) {
    try {
      this.defaults = { ...DEFAULT_QUOTAS, ...parseQuotaOverrides(config.quotas) };
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }

  limit(projectId: string, metric: QuotaMetric): number {
    return this.quotas.limitOverride(projectId, metric) ?? this.defaults[metric];
  }

  /** Counts `amount` against the quota or throws QUOTA_EXCEEDED (not retryable) and counts nothing. */
  consume(projectId: string, metric: QuotaMetric, amount: number, scope?: string): void {
    if (amount <= 0) {
      return;
    }
    const key = usageKey(metric, scope);
    const limit = this.limit(projectId, metric);
    const usage = this.quotas.used(projectId, key);
    if (usage + amount > limit) {
      throw new DomainError(
        'QUOTA_EXCEEDED',
        `quota ${metric}${scope ? ` of ${scope}` : ''} exceeded: limit ${limit}, in use ${usage}, requested ${amount}`,
        {
          metadata: {
            quotaMetric: metric,
            limit,
            usage,
            requested: amount,
            ...(scope ? { scope } : {}),
          },
        },
      );
    }
    this.quotas.add(projectId, key, amount);
  }

  release(projectId: string, metric: QuotaMetric, amount: number, scope?: string): void {
    if (amount > 0) {
      this.quotas.add(projectId, usageKey(metric, scope), -amount);
    }
  }

  setLimit(projectId: string, metric: QuotaMetric, limit: number): void {
    this.quotas.setLimit(projectId, metric, limit);
  }

  /** Every project-wide metric, plus each scoped counter in use. */
  list(projectId: string): QuotaView[] {
    const used = new Map(this.quotas.usageByProject(projectId).map((u) => [u.usageKey, u.used]));
    const views: QuotaView[] = QUOTA_METRICS.map((metric) => ({
      metric,
      limit: this.limit(projectId, metric),
      usage: used.get(metric) ?? 0,
    }));
    for (const [key, usage] of used) {
      const slash = key.indexOf('/');
      if (slash > 0) {
        const metric = key.slice(0, slash) as QuotaMetric;
        views.push({
          metric,
          scope: key.slice(slash + 1),
          limit: this.limit(projectId, metric),
          usage,
        });
      }
    }
    return views;
  }
}

function usageKey(metric: QuotaMetric, scope?: string): string {
  return scope ? `${metric}/${scope}` : metric;
}

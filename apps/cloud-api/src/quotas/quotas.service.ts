import { Injectable } from '@nestjs/common';
import { DomainError, type FieldViolation } from '@app/common';
import { CloudApiConfig, ConfigError } from '@app/config';
import {
  DEFAULT_QUOTAS,
  parseQuotaOverrides,
  QUOTA_METRICS,
  type QuotaMetric,
} from './quota-metrics';
import { QuotasRepository } from './quotas.repository';

/** A per-scope cap on a scoped metric (e.g. the instance type's max attachments); undefined = none. */
export type ScopeCap = (projectId: string, scope: string) => number | undefined;

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
  private readonly scopeCaps = new Map<QuotaMetric, ScopeCap>();

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

  /** Lets the owner of a scoped metric lower its limit per scope. */
  capScope(metric: QuotaMetric, cap: ScopeCap): void {
    this.scopeCaps.set(metric, cap);
  }

  limit(projectId: string, metric: QuotaMetric, scope?: string): number {
    const limit = this.quotas.limitOverride(projectId, metric) ?? this.defaults[metric];
    const cap = scope === undefined ? undefined : this.scopeCaps.get(metric)?.(projectId, scope);
    return cap === undefined ? limit : Math.min(limit, cap);
  }

  /** Counts `amount` against the quota or throws QUOTA_EXCEEDED (not retryable) and counts nothing. */
  consume(projectId: string, metric: QuotaMetric, amount: number, scope?: string): void {
    if (amount <= 0) {
      return;
    }
    const key = usageKey(metric, scope);
    const cap = scope === undefined ? undefined : this.scopeCaps.get(metric)?.(projectId, scope);
    // Check and count in one statement; the numbers for the error are read only on refusal.
    if (this.quotas.tryAdd(projectId, metric, key, amount, this.defaults[metric], cap ?? null)) {
      return;
    }
    const limit = this.limit(projectId, metric, scope);
    const usage = this.quotas.used(projectId, key);
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

  release(projectId: string, metric: QuotaMetric, amount: number, scope?: string): void {
    if (amount > 0) {
      this.quotas.add(projectId, usageKey(metric, scope), -amount);
    }
  }

  setLimit(projectId: string, metric: QuotaMetric, limit: number): void {
    this.quotas.setLimit(projectId, metric, limit);
  }

  /** Sets several limits, or none: every bad entry is reported (400 naming `limits.<metric>`). */
  setLimits(projectId: string, limits: Record<string, unknown>): void {
    const violations: FieldViolation[] = [];
    for (const [metric, value] of Object.entries(limits)) {
      if (!QUOTA_METRICS.includes(metric as QuotaMetric)) {
        violations.push({
          field: `limits.${metric}`,
          description: `unknown quota metric; metrics: ${QUOTA_METRICS.join(', ')}`,
        });
      } else if (!Number.isSafeInteger(value) || (value as number) < 0) {
        violations.push({
          field: `limits.${metric}`,
          description: 'must be a non-negative integer',
        });
      }
    }
    if (violations.length > 0) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        violations.map((v) => `${v.field}: ${v.description}`).join('; '),
        { fieldViolations: violations },
      );
    }
    for (const [metric, value] of Object.entries(limits)) {
      this.setLimit(projectId, metric as QuotaMetric, value as number);
    }
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
      // A scoped counter back at zero (network emptied, volumes detached) is not in use.
      if (slash > 0 && usage > 0) {
        const metric = key.slice(0, slash) as QuotaMetric;
        const scope = key.slice(slash + 1);
        views.push({ metric, scope, limit: this.limit(projectId, metric, scope), usage });
      }
    }
    return views;
  }
}

function usageKey(metric: QuotaMetric, scope?: string): string {
  return scope ? `${metric}/${scope}` : metric;
}

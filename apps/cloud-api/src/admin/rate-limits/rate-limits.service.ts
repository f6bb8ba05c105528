import { Injectable } from '@nestjs/common';
import { Clock, DomainError } from '@app/common';
import { CloudApiConfig } from '@app/config';
import type { RateLimitsDto, SetRateLimitsRequest } from '@app/cloud-contracts';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { RateLimitBucketsRepository } from './rate-limit-buckets.repository';
import { TokenLeases } from './token-leases';
import {
  parseRateLimits,
  RATE_LIMIT_CLASSES,
  type RateLimitClass,
  type RateLimitTable,
} from './rate-limit-classes';

export const RATE_LIMITS_KEY = 'rate_limits';

/** What the RateLimit-* headers say after a take. */
export interface RateLimitOutcome {
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

export interface RateLimitDecision {
  outcome: RateLimitOutcome;
  rejected?: DomainError;
}

interface Settings {
  enabled: boolean;
  limits: RateLimitTable;
}

/**
 * Token buckets per project and operation class, refilled by the injected clock and shared by
 * every process on the database (leased in chunks: see TokenLeases). The limits come from
 * `--rate-limits`, replaced at runtime by `PUT /admin/rate-limits` (stored).
 */
@Injectable()
export class RateLimitsService {
  private readonly configured: Settings;
  private current: Settings;
  private readonly leases: TokenLeases;

  constructor(
    private readonly buckets: RateLimitBucketsRepository,
    private readonly runtime: RuntimeSettings,
    private readonly clock: Clock,
    config: CloudApiConfig,
  ) {
    this.configured = parseRateLimits(config.rateLimits);
    this.current = this.configured;
    this.leases = new TokenLeases((...args) => buckets.take(...args));
    // New limits (from this process or another) start every bucket over: leases taken under the
    // old ones go.
    runtime.register(RATE_LIMITS_KEY, (stored) => {
      this.current = (stored as Settings | undefined) ?? this.configured;
      this.leases.clear();
    });
  }

  get enabled(): boolean {
    return this.current.enabled;
  }

  /** Takes a token; `rejected` (429 RATE_LIMITED, retryable) when the bucket is empty. */
  take(projectId: string, opClass: RateLimitClass): RateLimitDecision {
    const limit = this.current.limits[opClass];
    const { tokens, granted } = this.leases.take(projectId, opClass, limit, this.clock.now());
    const outcome = {
      limit: limit.capacity,
      remaining: Math.floor(tokens),
      resetSeconds: Math.ceil((limit.capacity - tokens) / limit.refillPerSecond),
    };
    if (granted) {
      return { outcome };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / limit.refillPerSecond));
    const rejected = new DomainError(
      'RATE_LIMITED',
      `the ${opClass} bucket of project ${projectId} is empty; retry after ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
        metadata: {
          bucket: opClass,
          limit: limit.capacity,
          refillPerSecond: limit.refillPerSecond,
        },
      },
    );
    return { outcome, rejected };
  }

  view(): RateLimitsDto {
    return { enabled: this.current.enabled, ...structuredClone(this.current.limits) };
  }

  /** Changes the named classes; every bucket starts full again under the new limits. */
  set(req: SetRateLimitsRequest): RateLimitsDto {
    const next: Settings = {
      enabled: req.enabled ?? this.current.enabled,
      limits: structuredClone(this.current.limits),
    };
    for (const name of RATE_LIMIT_CLASSES) {
      const bucket = req[name];
      if (bucket) {
        next.limits[name] = {
          capacity: bucket.capacity,
          refillPerSecond: bucket.refillPerSecond,
        };
      }
    }
    this.runtime.save(RATE_LIMITS_KEY, next);
    this.buckets.deleteAll();
    this.current = next;
    this.leases.clear();
    return this.view();
  }

  /** The shared buckets were emptied (a reset): tokens this process leased from them go too. */
  forgetLeases(): void {
    this.leases.clear();
  }
}

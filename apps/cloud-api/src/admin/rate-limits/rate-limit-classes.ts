import { ConfigError } from '@app/config';

export const RATE_LIMIT_CLASSES = ['reads', 'mutations', 'instanceCreates'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

export interface BucketLimit {
  capacity: number;
  refillPerSecond: number;
}

export type RateLimitTable = Record<RateLimitClass, BucketLimit>;

/** Generous: a CI run or a busy controller should not notice them unless a test tightens them. */
export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  reads: { capacity: 1000, refillPerSecond: 100 },
  mutations: { capacity: 500, refillPerSecond: 50 },
  instanceCreates: { capacity: 200, refillPerSecond: 10 },
};

/** GET/HEAD read; creating an instance has its own bucket (as EC2 RunInstances); the rest mutate. */
export function rateLimitClassOf(method: string, route: string): RateLimitClass {
  if (method === 'GET' || method === 'HEAD') {
    return 'reads';
  }
  return method === 'POST' && route === '/v1/instances' ? 'instanceCreates' : 'mutations';
}

/**
 * `--rate-limits`: `off`, or `class=capacity:refillPerSecond` entries, e.g.
 * `reads=100:20,mutations=20:2`; classes not named keep their defaults.
 */
export function parseRateLimits(text: string | undefined): {
  enabled: boolean;
  limits: RateLimitTable;
} {
  const limits = structuredClone(DEFAULT_RATE_LIMITS);
  if (text === undefined) {
    return { enabled: true, limits };
  }
  if (text.trim() === 'off') {
    return { enabled: false, limits };
  }
  for (const entry of text.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(entry);
    const name = match?.[1] as RateLimitClass | undefined;
    if (!match || !RATE_LIMIT_CLASSES.includes(name!)) {
      throw new ConfigError(
        `--rate-limits (NIMBUS_RATE_LIMITS): "${entry.trim()}" must be <class>=<capacity>:<refill per second> with class ${RATE_LIMIT_CLASSES.join(', ')}`,
      );
    }
    const capacity = Number(match[2]);
    const refillPerSecond = Number(match[3]);
    if (capacity < 1 || refillPerSecond <= 0) {
      throw new ConfigError(
        `--rate-limits (NIMBUS_RATE_LIMITS): "${entry.trim()}" needs a capacity ≥ 1 and a refill > 0`,
      );
    }
    limits[name!] = { capacity, refillPerSecond };
  }
  return { enabled: true, limits };
}

import { ConfigError } from '@app/config';
import { DEFAULT_RATE_LIMITS, parseRateLimits, rateLimitClassOf } from './rate-limit-classes';

describe('rate limit classes', () => {
  it('should classify reads, instance creation and other mutations by method and route', () => {
    expect(rateLimitClassOf('GET', '/v1/instances')).toBe('reads');
    expect(rateLimitClassOf('HEAD', '/v1/instances/:id')).toBe('reads');
    expect(rateLimitClassOf('POST', '/v1/instances')).toBe('instanceCreates');
    expect(rateLimitClassOf('POST', '/v1/instances/:id/stop')).toBe('mutations');
    expect(rateLimitClassOf('DELETE', '/v1/instances/:id')).toBe('mutations');
  });

  it('should parse --rate-limits, keeping defaults for classes not named', () => {
    expect(parseRateLimits(undefined)).toEqual({ enabled: true, limits: DEFAULT_RATE_LIMITS });
    expect(parseRateLimits('off').enabled).toBe(false);
    const parsed = parseRateLimits('reads=100:20, instanceCreates=5:0.5');
    expect(parsed.limits).toEqual({
      reads: { capacity: 100, refillPerSecond: 20 },
      mutations: DEFAULT_RATE_LIMITS.mutations,
      instanceCreates: { capacity: 5, refillPerSecond: 0.5 },
    });
  });

  it('should refuse unknown classes and empty buckets, naming the option', () => {
    expect(() => parseRateLimits('writes=1:1')).toThrow(ConfigError);
    expect(() => parseRateLimits('writes=1:1')).toThrow(/--rate-limits.*"writes=1:1"/);
    expect(() => parseRateLimits('reads=0:1')).toThrow(/capacity ≥ 1/);
    expect(() => parseRateLimits('reads=10:0')).toThrow(/refill > 0/);
  });
});

import { CloudApiError } from './errors';

/** How the client retries a call that failed with a retryable error. */
export interface RetryPolicy {
  /** Attempts in total, the first included (1 = never retry). */
  maxAttempts: number;
  /** Backoff before the first retry; doubles with every further retry. */
  baseDelayMs: number;
  /** Cap of the exponential backoff. */
  maxDelayMs: number;
  /** Cap of a wait the server asks for (Retry-After / retryAfterSeconds). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Retryable: a problem marked `retryable` (429 RATE_LIMITED, 409 CONFLICT, 5xx) and network
 * errors. Never QUOTA_EXCEEDED, validation, not-found or precondition failures.
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof CloudApiError && error.retryable;
}

/**
 * The wait before retry number `retry` (1 = first retry): exponential backoff with "equal jitter"
 * (half fixed, half random), but never shorter than what the server asked for.
 */
export function retryDelayMs(
  retry: number,
  error: unknown,
  policy: RetryPolicy,
  random: () => number,
): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.round(backoff / 2 + (random() * backoff) / 2);
  const asked =
    error instanceof CloudApiError && error.retryAfterSeconds !== undefined
      ? Math.min(policy.maxRetryAfterMs, Math.max(0, error.retryAfterSeconds * 1000))
      : 0;
  return Math.max(jittered, asked);
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into seconds from `nowMs`;
 * undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/**
 * Seconds until the quota window resets from IETF RateLimit headers: `RateLimit-Reset: 5` or
 * `RateLimit: limit=100, remaining=0, reset=5` (also the newer `t=5`).
 */
export function parseRateLimitReset(
  header: (name: string) => string | undefined,
): number | undefined {
  const reset = header('ratelimit-reset');
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    return Number(reset.trim());
  }
  const combined = header('ratelimit');
  const match = combined ? /(?:^|[;,\s])(?:reset|t)=(\d+)/.exec(combined) : null;
  return match ? Number(match[1]) : undefined;
}

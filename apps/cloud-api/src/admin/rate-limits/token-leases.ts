import type { BucketLimit } from './rate-limit-classes';
import type { TakeResult } from './rate-limit-buckets.repository';

/** A process takes at most this share of a bucket's capacity at once… */
export const LEASE_SHARE = 0.01;
/** …and never more than this many tokens. */
export const MAX_LEASE = 100;

/** How many tokens one write takes from the shared bucket: 1 % of the capacity, 1 to 100. */
export function leaseSize(limit: BucketLimit): number {
  return Math.min(MAX_LEASE, Math.max(1, Math.floor(limit.capacity * LEASE_SHARE)));
}

/** Takes up to `want` tokens from the shared bucket (one SQLite write). */
export type SharedTake = (
  project: string,
  opClass: string,
  limit: BucketLimit,
  want: number,
  now: number,
) => TakeResult;

interface Lease {
  /** Tokens taken from the shared bucket and not used yet. */
  held: number;
  /** What the shared bucket held right after the lease was taken, and when. */
  shared: number;
  at: number;
}

/**
 * Token buckets shared by every process on the database, taken from in chunks: a call spends a
 * token this process already holds, and only when it holds none does it write to the shared
 * bucket, taking `leaseSize` tokens at once (or what is left). So the bucket never grants more
 * than its limits allow, across all processes; the price is that a process may hold up to
 * `leaseSize - 1` unused tokens, which another process, finding the bucket empty, cannot have.
 * With a lease size of 1 (capacity < 200) every call writes, exactly as a plain shared bucket.
 */
export class TokenLeases {
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly takeShared: SharedTake) {}

  /**
   * Spends one token of the project's bucket. `tokens` is what is left for the project (the
   * shared bucket as last seen, refilled since, plus what this process holds): what the
   * RateLimit-Remaining header says.
   */
  take(
    project: string,
    opClass: string,
    limit: BucketLimit,
    now: number,
  ): { granted: boolean; tokens: number } {
    const key = `${project}\u0000${opClass}`;
    const lease = this.leases.get(key);
    if (lease && lease.held >= 1) {
      lease.held -= 1;
      return { granted: true, tokens: estimate(lease, limit, now) };
    }
    const taken = this.takeShared(project, opClass, limit, leaseSize(limit), now);
    if (taken.granted < 1) {
      this.leases.delete(key);
      return { granted: false, tokens: taken.tokens };
    }
    const fresh = { held: taken.granted - 1, shared: taken.tokens, at: now };
    this.leases.set(key, fresh);
    return { granted: true, tokens: estimate(fresh, limit, now) };
  }

  /** Forgets every lease (new limits, a reset or a restore: the shared buckets start over). */
  clear(): void {
    this.leases.clear();
  }
}

function estimate(lease: Lease, limit: BucketLimit, now: number): number {
  const refilled = Math.max(0, now - lease.at) * (limit.refillPerSecond / 1000);
  return Math.min(limit.capacity, Math.min(limit.capacity, lease.shared + refilled) + lease.held);
}

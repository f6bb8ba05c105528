import type { BucketLimit } from './rate-limit-classes';
import type { TakeResult } from './rate-limit-buckets.repository';
import { leaseSize, TokenLeases } from './token-leases';

/** The shared bucket of one database, as the repository's single statement computes it. */
class SharedBucket {
  tokens: number;
  updatedAt = 0;
  writes = 0;

  constructor(private readonly limit: BucketLimit) {
    this.tokens = limit.capacity;
  }

  take = (_p: string, _c: string, limit: BucketLimit, want: number, now: number): TakeResult => {
    this.writes++;
    const available = Math.min(
      limit.capacity,
      this.tokens + Math.max(0, now - this.updatedAt) * (limit.refillPerSecond / 1000),
    );
    const granted = Math.min(want, Math.floor(available));
    this.tokens = available - granted;
    this.updatedAt = now;
    return { tokens: this.tokens, granted };
  };
}

describe('TokenLeases', () => {
  it('should lease 1 % of the capacity, at least 1 and at most 100', () => {
    expect(leaseSize({ capacity: 3, refillPerSecond: 1 })).toBe(1);
    expect(leaseSize({ capacity: 199, refillPerSecond: 1 })).toBe(1);
    expect(leaseSize({ capacity: 1000, refillPerSecond: 100 })).toBe(10);
    expect(leaseSize({ capacity: 1e9, refillPerSecond: 1e9 })).toBe(100);
  });

  it('should write to the shared bucket once per lease, and report what is left in all', () => {
    const limit = { capacity: 1000, refillPerSecond: 100 };
    const bucket = new SharedBucket(limit);
    const leases = new TokenLeases(bucket.take);
    const remaining = Array.from({ length: 25 }, () => leases.take('p', 'reads', limit, 0));
    expect(remaining.every((r) => r.granted)).toBe(true);
    expect(remaining.map((r) => r.tokens)).toEqual(Array.from({ length: 25 }, (_, i) => 999 - i));
    expect(bucket.writes).toBe(3);
    // Refill since the lease counts, capped at the capacity.
    expect(leases.take('p', 'reads', limit, 100).tokens).toBe(975 - 1 + 10);
    expect(leases.take('p', 'reads', limit, 60_000).tokens).toBe(1000);
  });

  it('should never grant more than the shared bucket holds, across processes', () => {
    const limit = { capacity: 500, refillPerSecond: 0.001 };
    const bucket = new SharedBucket(limit);
    const processes = [1, 2, 3].map(() => new TokenLeases(bucket.take));
    let granted = 0;
    let refused = 0;
    for (let i = 0; i < 900; i++) {
      const r = processes[i % 3].take('p', 'mutations', limit, 0);
      granted += r.granted ? 1 : 0;
      refused += r.granted ? 0 : 1;
    }
    expect(granted).toBe(500);
    expect(refused).toBe(400);
    expect(bucket.tokens).toBe(0);
  });

  it('should refuse a process while another holds unused tokens, but by less than one lease', () => {
    const limit = { capacity: 1000, refillPerSecond: 0.001 };
    const bucket = new SharedBucket(limit);
    const [a, b] = [new TokenLeases(bucket.take), new TokenLeases(bucket.take)];
    a.take('p', 'reads', limit, 0); // a holds 9
    let byB = 0;
    while (b.take('p', 'reads', limit, 0).granted) {
      byB++;
    }
    expect(byB).toBe(990);
    const refused = b.take('p', 'reads', limit, 0);
    expect(refused).toEqual({ granted: false, tokens: 0 });
    // a still spends its lease: nothing is lost, only held.
    expect(Array.from({ length: 10 }, () => a.take('p', 'reads', limit, 0).granted)).toEqual([
      ...Array<boolean>(9).fill(true),
      false,
    ]);
  });

  it('should keep separate leases per project and class, and forget them all on clear', () => {
    const limit = { capacity: 1000, refillPerSecond: 100 };
    const bucket = new SharedBucket(limit);
    const leases = new TokenLeases(bucket.take);
    leases.take('p', 'reads', limit, 0);
    leases.take('q', 'reads', limit, 0);
    leases.take('p', 'mutations', limit, 0);
    expect(bucket.writes).toBe(3);
    leases.take('p', 'reads', limit, 0);
    expect(bucket.writes).toBe(3);
    leases.clear();
    leases.take('p', 'reads', limit, 0);
    expect(bucket.writes).toBe(4);
  });

  it('should behave as a plain shared bucket when the lease is one token', () => {
    const limit = { capacity: 2, refillPerSecond: 0.5 };
    const bucket = new SharedBucket(limit);
    const leases = new TokenLeases(bucket.take);
    expect(leases.take('p', 'm', limit, 0)).toEqual({ granted: true, tokens: 1 });
    expect(leases.take('p', 'm', limit, 0)).toEqual({ granted: true, tokens: 0 });
    expect(leases.take('p', 'm', limit, 0)).toEqual({ granted: false, tokens: 0 });
    expect(leases.take('p', 'm', limit, 1999).granted).toBe(false);
    expect(leases.take('p', 'm', limit, 2000)).toEqual({ granted: true, tokens: 0 });
    expect(bucket.writes).toBe(5);
  });
});

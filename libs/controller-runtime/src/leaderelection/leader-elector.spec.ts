import { DomainError } from '@app/common';
import { ManualScheduler } from '../testing/manual-scheduler';
import { InMemoryLease, InMemoryLeaseLock } from './in-memory-lease';
import { LeaderElector, type LeaderElectionConfig } from './leader-elector';
import type { LeaderElectionRecord, LeaseLock } from './lease-lock';

/** A lock whose api calls can be cut off, as in a network partition or a killed process. */
class PartitionableLock implements LeaseLock {
  down = false;
  constructor(private readonly inner: LeaseLock) {}
  identity(): string {
    return this.inner.identity();
  }
  describe(): string {
    return this.inner.describe();
  }
  get(): Promise<LeaderElectionRecord | null> {
    return this.down ? Promise.reject(new Error('connection refused')) : this.inner.get();
  }
  create(record: LeaderElectionRecord): Promise<void> {
    return this.down ? Promise.reject(new Error('connection refused')) : this.inner.create(record);
  }
  update(record: LeaderElectionRecord): Promise<void> {
    return this.down ? Promise.reject(new Error('connection refused')) : this.inner.update(record);
  }
}

describe('LeaderElector', () => {
  let clock: ManualScheduler;
  let lease: InMemoryLease;
  let log: string[];

  const candidate = (id: string, extra: Partial<LeaderElectionConfig> = {}) => {
    const lock = new PartitionableLock(new InMemoryLeaseLock(lease, id));
    let leadingSignal: AbortSignal | undefined;
    const elector = new LeaderElector(
      {
        lock,
        callbacks: {
          onStartedLeading: (signal) => {
            leadingSignal = signal;
            log.push(`${clock.now() - t0} ${id} started`);
          },
          onStoppedLeading: () => log.push(`${clock.now() - t0} ${id} stopped`),
          onNewLeader: (leader) => log.push(`${clock.now() - t0} ${id} sees ${leader || '<none>'}`),
        },
        ...extra,
      },
      { scheduler: clock, random: () => 0 },
    );
    const stop = new AbortController();
    const done = elector.run(stop.signal);
    return { elector, lock, stop, done, leading: () => leadingSignal };
  };
  let t0: number;

  beforeEach(() => {
    clock = new ManualScheduler(Date.UTC(2026, 0, 1));
    t0 = clock.now();
    lease = new InMemoryLease();
    log = [];
  });

  it('should create the lease and lead when none exists', async () => {
    const a = candidate('a');
    await clock.advance(0);
    expect(a.elector.isLeader()).toBe(true);
    expect(log).toEqual(['0 a sees a', '0 a started']);
    expect(lease.read()?.record).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T00:00:00.000000Z',
      renewTime: '2026-01-01T00:00:00.000000Z',
      leaseTransitions: 0,
    });
    await clock.advance(6000);
    expect(lease.read()?.record.renewTime).toBe('2026-01-01T00:00:06.000000Z');
    expect(lease.read()?.record.acquireTime).toBe('2026-01-01T00:00:00.000000Z');
    a.stop.abort();
    await a.done;
  });

  it('should keep a second candidate waiting while the holder renews', async () => {
    const a = candidate('a');
    await clock.advance(0);
    const b = candidate('b');
    await clock.advance(120_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.getLeader()).toBe('a');
    expect(log).toContain('0 b sees a');
    expect(log.filter((l) => l.includes('started'))).toEqual(['0 a started']);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
    expect(log.filter((l) => l.includes('stopped')).sort()).toEqual([
      '120000 a stopped',
      '120000 b stopped',
    ]);
  });

  it('should hand over when the holder stops renewing: old leader steps down first, new one after the lease expires', async () => {
    const a = candidate('a');
    await clock.advance(0);
    const b = candidate('b');
    await clock.advance(10_000);
    a.lock.down = true; // a's last successful renewal was at 10 s
    await clock.advance(30_000);
    expect(a.elector.isLeader()).toBe(true); // its own (stale) view
    expect(a.leading()?.aborted).toBe(true);
    expect(b.elector.isLeader()).toBe(true);
    const stoppedA = log.find((l) => l.endsWith('a stopped'));
    const startedB = log.find((l) => l.endsWith('b started'));
    // Renewals fail from 12 s; the renew deadline (10 s) ends leadership at 22 s.
    expect(stoppedA).toBe('22000 a stopped');
    expect(startedB).toBe('26000 b started'); // first retry ≥ 15 s after b last saw the record change (10 s)
    expect(lease.read()?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await a.done;
    b.stop.abort();
    await b.done;
  });

  it('should let exactly one of two racing candidates win an expired lease (conflict means someone else won)', async () => {
    const old = new InMemoryLeaseLock(lease, 'old');
    await old.create({
      holderIdentity: 'old',
      leaseDurationSeconds: 15,
      acquireTime: 'x',
      renewTime: 'x',
      leaseTransitions: 4,
    });
    const a = candidate('a');
    const b = candidate('b');
    await clock.advance(20_000);
    const leaders = [a, b].filter((c) => c.elector.isLeader());
    expect(leaders).toHaveLength(1);
    expect(log.filter((l) => l.includes('started'))).toHaveLength(1);
    expect(lease.read()?.record.leaseTransitions).toBe(5);
    const winner = lease.read()?.record.holderIdentity;
    expect([a, b].find((c) => c.lock.identity() !== winner)?.elector.getLeader()).toBe(winner);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('should refuse a stale write on the lock with a conflict', async () => {
    const one = new InMemoryLeaseLock(lease, 'one');
    const two = new InMemoryLeaseLock(lease, 'two');
    const rec = {
      holderIdentity: 'one',
      leaseDurationSeconds: 15,
      acquireTime: 't',
      renewTime: 't',
      leaseTransitions: 0,
    };
    await one.create(rec);
    await two.get();
    await one.update({ ...rec, renewTime: 't2' });
    await expect(two.update({ ...rec, holderIdentity: 'two' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(new InMemoryLeaseLock(lease, 'x').update(rec)).rejects.toThrow(/not initialized/);
    await expect(two.create(rec)).rejects.toBeInstanceOf(DomainError);
  });

  it('should release the lease on cancel so a successor need not wait for expiry', async () => {
    const a = candidate('a', { releaseOnCancel: true });
    await clock.advance(0);
    const b = candidate('b');
    await clock.advance(4000);
    a.stop.abort();
    await a.done;
    expect(lease.read()?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await clock.advance(2000);
    expect(b.elector.isLeader()).toBe(true);
    expect(log).toContain('6000 b started');
    b.stop.abort();
    await b.done;
  });

  it('should call onStoppedLeading even if leadership was never acquired', async () => {
    const a = candidate('a');
    await clock.advance(0);
    const b = candidate('b');
    await clock.advance(1000);
    b.stop.abort();
    await b.done;
    expect(log).toContain('1000 b stopped');
    expect(log.some((l) => l.endsWith('b started'))).toBe(false);
    a.stop.abort();
    await a.done;
  });

  it('should report unhealthy once it believes it leads but has not renewed for lease + tolerance', async () => {
    const a = candidate('a', { renewDeadlineMs: 10_000 });
    await clock.advance(0);
    expect(a.elector.check()).toBeUndefined();
    a.lock.down = true;
    // Leadership ends at the renew deadline; a stuck renew loop is what the check catches.
    await clock.advance(5000);
    expect(a.elector.check(1000)).toBeUndefined();
    await clock.advance(11_001);
    expect(a.elector.check(1000)?.message).toBe(
      'failed election to renew leadership on lease kube-system/cloud-controller-manager',
    );
    await a.done;
  });

  it('should validate durations like client-go', () => {
    const lock = new InMemoryLeaseLock(lease, 'a');
    const callbacks = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
    const make = (c: Partial<LeaderElectionConfig>) =>
      new LeaderElector({ lock, callbacks, ...c }, { scheduler: clock });
    expect(() => make({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(
      'leaseDuration must be greater than renewDeadline',
    );
    expect(() => make({ renewDeadlineMs: 2400, retryPeriodMs: 2000 })).toThrow(
      'renewDeadline must be greater than retryPeriod*JitterFactor',
    );
    expect(
      () =>
        new LeaderElector(
          { lock: new InMemoryLeaseLock(lease, ''), callbacks },
          { scheduler: clock },
        ),
    ).toThrow('Lock identity is empty');
    expect(() => make({})).not.toThrow();
  });
});

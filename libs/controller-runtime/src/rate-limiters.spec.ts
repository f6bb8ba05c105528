import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiters';
import { ManualScheduler } from './testing/manual-scheduler';

describe('ItemExponentialFailureRateLimiter', () => {
  it('should double from the base delay per failure, cap at the max, per item', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    expect([1, 2, 3, 4, 5].map(() => rl.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(rl.numRequeues('a')).toBe(5);
    expect(rl.when('b')).toBe(5);
    for (let i = 0; i < 40; i++) {
      rl.when('a');
    }
    expect(rl.when('a')).toBe(1_000_000);
  });

  it('should follow the service controller sequence 5 s → 300 s', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5_000, 300_000);
    const seq = Array.from({ length: 8 }, () => rl.when('default/web') / 1000);
    expect(seq).toEqual([5, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('should restart from the base delay after forget', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000);
    rl.when('a');
    rl.when('a');
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(5);
  });

  it('should return the max instead of overflowing', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1000);
    for (let i = 0; i < 2000; i++) {
      rl.when('a');
    }
    expect(rl.when('a')).toBe(1000);
  });
});

describe('BucketRateLimiter', () => {
  it('should let the burst through, then space items at 1/qps, and refill over time', async () => {
    const clock = new ManualScheduler();
    const rl = new BucketRateLimiter<string>(10, 100, clock);
    const burst = Array.from({ length: 100 }, (_, i) => rl.when(`k${i}`));
    expect(burst.every((d) => d === 0)).toBe(true);
    expect(rl.when('x')).toBeCloseTo(100);
    expect(rl.when('y')).toBeCloseTo(200);
    expect(rl.numRequeues('x')).toBe(0);
    await clock.advance(10_000); // 100 tokens, less the 2 owed
    expect(rl.when('z')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('should take the larger of per-item backoff and the overall bucket', () => {
    const clock = new ManualScheduler();
    const rl = defaultControllerRateLimiter<string>(clock);
    expect([rl.when('a'), rl.when('a'), rl.when('a')]).toEqual([5, 10, 20]);
    for (let i = 0; i < 97; i++) {
      rl.when(`other-${i}`);
    }
    // The bucket is empty: a first failure of a new item waits 100 ms, not 5 ms.
    expect(rl.when('fresh')).toBeCloseTo(100);
    expect(rl.numRequeues('a')).toBe(3);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
  });

  it('should report the max of the limiters requeues', () => {
    const a = new ItemExponentialFailureRateLimiter<string>(1, 10);
    const b = new ItemExponentialFailureRateLimiter<string>(1, 10);
    const rl = new MaxOfRateLimiter(a, b);
    a.when('k');
    a.when('k');
    b.when('k');
    expect(rl.numRequeues('k')).toBe(2);
  });
});

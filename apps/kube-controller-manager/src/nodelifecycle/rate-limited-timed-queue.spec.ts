import { ManualScheduler } from '@app/controller-runtime';
import { RateLimitedTimedQueue } from './rate-limited-timed-queue';

describe('RateLimitedTimedQueue', () => {
  it('processes in order, one node per 10 s at 0.1 qps (burst 1)', async () => {
    const time = new ManualScheduler();
    const q = new RateLimitedTimedQueue(0.1, time);
    q.add('a', 'ua');
    q.add('b', 'ub');
    expect(q.add('a', 'ua')).toBe(false);
    const done: string[] = [];
    const pass = () => q.try((v) => (done.push(v.value), Promise.resolve([true, 0])));
    await pass();
    expect(done).toEqual(['a']);
    await time.advance(5000);
    await pass();
    expect(done).toEqual(['a']);
    await time.advance(5000);
    await pass();
    expect(done).toEqual(['a', 'b']);
    expect(q.size).toBe(0);
  });

  it('retries a value after the delay it asks for, and stops at qps 0', async () => {
    const time = new ManualScheduler();
    const q = new RateLimitedTimedQueue(100, time);
    q.add('a', 'ua');
    let attempts = 0;
    const pass = () => q.try(() => (attempts++, Promise.resolve([attempts > 1, 50])));
    await pass();
    await pass();
    expect(attempts).toBe(1);
    await time.advance(50);
    await pass();
    expect(attempts).toBe(2);
    expect(q.size).toBe(0);
    q.swapLimiter(0);
    q.add('b', 'ub');
    await time.advance(60_000);
    await pass();
    expect(q.size).toBe(1);
  });
});

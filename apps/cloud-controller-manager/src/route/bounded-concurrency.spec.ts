import { BoundedConcurrency } from './bounded-concurrency';

describe('BoundedConcurrency', () => {
  it('should run at most `limit` tasks at once and all of them eventually', async () => {
    const limiter = new BoundedConcurrency(2);
    const releases: (() => void)[] = [];
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 5 }, (_, i) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return i;
      }),
    );
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(limiter.inFlight).toBeLessThanOrEqual(2);
      releases.shift()?.();
    }
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('should free the slot when a task fails', async () => {
    const limiter = new BoundedConcurrency(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('should reject a non-positive limit', () => {
    expect(() => new BoundedConcurrency(0)).toThrow(RangeError);
  });
});

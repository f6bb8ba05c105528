import { AdjustableClock } from './clock';

describe('AdjustableClock', () => {
  let wall = 1_000_000;
  const clock = () => new AdjustableClock(() => wall);

  beforeEach(() => {
    wall = 1_000_000;
  });

  it('should follow the wall clock until frozen', () => {
    const c = clock();
    expect(c.now()).toBe(1_000_000);
    wall += 500;
    expect(c.now()).toBe(1_000_500);
    c.freeze();
    wall += 10_000;
    expect(c.now()).toBe(1_000_500);
  });

  it('should advance and set both frozen and running time', () => {
    const c = clock();
    c.advance(30_000);
    expect(c.now()).toBe(1_030_000);
    c.freeze();
    c.advance(1000);
    expect(c.now()).toBe(1_031_000);
    c.set(5_000_000);
    expect(c.now()).toBe(5_000_000);
    c.unfreeze();
    wall += 100;
    expect(c.now()).toBe(5_000_100);
  });

  it('should restore a saved state', () => {
    const c = clock();
    c.freeze();
    c.advance(42);
    const other = clock();
    other.restore(c.state());
    expect(other.now()).toBe(1_000_042);
    expect(other.frozen).toBe(true);
  });

  it('should be followed through its buffer (as a worker thread follows nimbus up)', async () => {
    const c = new AdjustableClock();
    const follower = AdjustableClock.following(c.buffer);
    c.freeze();
    c.set(7_000_000);
    expect(follower.now()).toBe(7_000_000);
    follower.advance(5);
    expect(c.now()).toBe(7_000_005);
    c.unfreeze();
    c.advance(86_400_000);
    // Read between two readings of the clock it follows (a pause between reads moves both).
    const before = c.now();
    const followed = follower.now();
    expect(followed).toBeGreaterThanOrEqual(before);
    expect(followed).toBeLessThanOrEqual(c.now());
    expect(follower.now()).toBeGreaterThanOrEqual(7_000_005 + 86_400_000);
    // Another thread reads the same cells.
    const { Worker } = await import('node:worker_threads');
    const seen = await new Promise<number[]>((resolve, reject) => {
      const worker = new Worker(
        'const { parentPort, workerData } = require("node:worker_threads");' +
          'parentPort.postMessage([...new Float64Array(workerData)]);',
        { eval: true, workerData: c.buffer },
      );
      worker.once('message', resolve).once('error', reject);
    });
    expect(seen[0] + Date.now()).toBeGreaterThanOrEqual(7_000_005 + 86_400_000);
    expect(Number.isNaN(seen[1])).toBe(true);
  });
});

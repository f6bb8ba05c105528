import { ManualScheduler } from '../testing/manual-scheduler';
import { DelayingQueue } from './delaying-queue';

describe('DelayingQueue', () => {
  let clock: ManualScheduler;
  let q: DelayingQueue<string>;

  beforeEach(() => {
    clock = new ManualScheduler();
    q = new DelayingQueue<string>({ scheduler: clock });
  });

  it('should add an item only once its delay has passed on the scheduler', async () => {
    q.addAfter('a', 1000);
    expect(q.len()).toBe(0);
    expect(q.waitingLen()).toBe(1);
    await clock.advance(999);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
  });

  it('should add immediately for a zero or negative delay', () => {
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });

  it('should keep the earlier ready time when an item is delayed twice', async () => {
    q.addAfter('a', 5000);
    q.addAfter('a', 1000);
    q.addAfter('a', 8000);
    await clock.advance(1000);
    expect(q.len()).toBe(1);
    expect(await q.get()).toEqual({ item: 'a', shutdown: false });
    q.done('a');
    // The superseded 5 s and 8 s entries must not add it again.
    await clock.advance(10_000);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should release items in ready order', async () => {
    q.addAfter('late', 300);
    q.addAfter('early', 100);
    q.addAfter('mid', 200);
    await clock.advance(300);
    const order = [(await q.get()).item, (await q.get()).item, (await q.get()).item];
    expect(order).toEqual(['early', 'mid', 'late']);
  });

  it('should drop waiting items and timers on shutdown', async () => {
    q.addAfter('a', 100);
    q.shutDown();
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(1000);
    expect(q.len()).toBe(0);
    q.addAfter('b', 10);
    expect(q.waitingLen()).toBe(0);
  });
});

import { ManualScheduler, flushPromises } from '../testing/manual-scheduler';
import { WorkQueue } from './queue';

const newQueue = () => new WorkQueue<string>({ scheduler: new ManualScheduler() });

describe('WorkQueue', () => {
  it('should hand out an item queued twice only once (dedupe), in FIFO order', async () => {
    const q = newQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect((await q.get()).item).toBe('a');
    expect((await q.get()).item).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('should not hand out an item being processed; re-added, it returns after done', async () => {
    const q = newQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((r) => (second = r.item));
    await flushPromises();
    expect(second).toBeUndefined();
    q.done('a');
    await flushPromises();
    expect(first.item).toBe('a');
    expect(second).toBe('a');
    q.done('a');
    expect(q.inFlight()).toBe(0);
  });

  it('should not requeue an item that was not re-added while processing', async () => {
    const q = newQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('should make get wait for an add, waking waiters in order', async () => {
    const q = newQueue();
    const got: string[] = [];
    void q.get().then((r) => got.push(`1:${r.item}`));
    void q.get().then((r) => got.push(`2:${r.item}`));
    await flushPromises();
    expect(got).toEqual([]);
    q.add('x');
    q.add('y');
    await flushPromises();
    expect(got).toEqual(['1:x', '2:y']);
  });

  it('should ignore adds after shutdown but still hand out what is queued, then report shutdown', async () => {
    const q = newQueue();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(q.isShuttingDown()).toBe(true);
    expect(await q.get()).toEqual({ item: 'a', shutdown: false });
    expect(await q.get()).toEqual({ item: undefined, shutdown: true });
  });

  it('should release waiting consumers on shutdown', async () => {
    const q = newQueue();
    const pending = q.get();
    q.shutDown();
    expect(await pending).toEqual({ item: undefined, shutdown: true });
  });

  it('should make shutDownWithDrain wait for items in flight to be done', async () => {
    const q = newQueue();
    q.add('a');
    q.add('b');
    await q.get();
    await q.get();
    let drained = false;
    void q.shutDownWithDrain().then(() => (drained = true));
    await flushPromises();
    expect(drained).toBe(false);
    q.done('a');
    await flushPromises();
    expect(drained).toBe(false);
    q.done('b');
    await flushPromises();
    expect(drained).toBe(true);
  });

  it('should drain immediately when nothing is in flight', async () => {
    const q = newQueue();
    await expect(q.shutDownWithDrain()).resolves.toBeUndefined();
  });
});

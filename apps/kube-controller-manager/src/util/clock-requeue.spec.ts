import { ManualScheduler } from '@app/controller-runtime';
import { ClockRequeue } from './clock-requeue';

describe('ClockRequeue', () => {
  const setup = () => {
    const time = new ManualScheduler();
    const fired: string[] = [];
    return { time, fired, requeue: new ClockRequeue(time, (key) => fired.push(key)) };
  };

  it('after() replaces a pending requeue of the key', async () => {
    const { time, fired, requeue } = setup();
    requeue.after('a', 1_000);
    requeue.after('a', 5_000);
    await time.advance(4_999);
    expect(fired).toEqual([]);
    await time.advance(1);
    expect(fired).toEqual(['a']);
  });

  it('notLaterThan() keeps an earlier pending requeue and brings a later one forward', async () => {
    const { time, fired, requeue } = setup();
    requeue.notLaterThan('a', 1_000);
    requeue.notLaterThan('a', 15_000);
    await time.advance(1_000);
    expect(fired).toEqual(['a']);
    requeue.after('b', 15_000);
    requeue.notLaterThan('b', 2_000);
    await time.advance(2_000);
    expect(fired).toEqual(['a', 'b']);
    await time.advance(20_000);
    expect(fired).toEqual(['a', 'b']); // each key once
  });
});

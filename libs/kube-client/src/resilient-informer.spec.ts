import { EventEmitter } from 'node:events';
import { ListWatch, type KubeConfig } from '@kubernetes/client-node';
import { createResilientInformer } from './resilient-informer';

jest.mock('@kubernetes/client-node', () => ({ ListWatch: jest.fn(), Watch: jest.fn() }));

/** A stand-in for client-node's ListWatch: start() can be told to fail. */
class FakeInformer extends EventEmitter {
  starts = 0;
  failNextStart = false;
  start = jest.fn(() => {
    this.starts++;
    if (this.failNextStart) {
      this.failNextStart = false;
      return Promise.reject(new Error('connection refused'));
    }
    return Promise.resolve();
  });
  stop = jest.fn(() => Promise.resolve());
  get = jest.fn();
  list = jest.fn(() => []);
}

describe('createResilientInformer', () => {
  let fake: FakeInformer;

  beforeEach(() => {
    jest.useFakeTimers();
    fake = new FakeInformer();
    jest.mocked(ListWatch).mockImplementation(() => fake as never);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const make = (errors: unknown[] = []) =>
    createResilientInformer(
      {} as KubeConfig,
      '/api/v1/pods',
      () => Promise.resolve({ items: [] } as never),
      { error: (e) => errors.push(e) },
      { initialBackoffMs: 100, maxBackoffMs: 400 },
    );

  it('should restart after an error with doubling, capped backoff', async () => {
    const errors: unknown[] = [];
    const informer = make(errors);
    await informer.start();
    fake.failNextStart = true;
    fake.emit('error', new Error('watch failed'));
    await jest.advanceTimersByTimeAsync(99);
    expect(fake.starts).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.starts).toBe(2);
    // The failed restart schedules the next one after twice the delay.
    await jest.advanceTimersByTimeAsync(199);
    expect(fake.starts).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fake.starts).toBe(3);
    expect(errors).toHaveLength(2);
    expect(informer.restarts).toBe(2);
  });

  it('should reset the backoff on events and stop restarting once stopped', async () => {
    const informer = make();
    await informer.start();
    fake.emit('error', new Error('1'));
    await jest.advanceTimersByTimeAsync(100);
    fake.emit('add', { metadata: { name: 'p' } });
    fake.emit('error', new Error('2'));
    await jest.advanceTimersByTimeAsync(100);
    expect(fake.starts).toBe(3);
    fake.emit('error', new Error('3'));
    await informer.stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(fake.starts).toBe(3);
    expect(fake.stop).toHaveBeenCalled();
  });
});

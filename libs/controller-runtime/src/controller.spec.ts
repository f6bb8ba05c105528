import { Controller, type ControllerOptions } from './controller';
import type { KubeObject } from './informer';
import { ItemExponentialFailureRateLimiter } from './rate-limiters';
import { RequeueAfterError, type ReconcileContext, type ReconcileResult } from './reconcile';
import { FakeInformer } from './testing/fake-informer';
import { ManualScheduler, flushPromises } from './testing/manual-scheduler';

interface Svc extends KubeObject {
  spec?: { type: string };
}
const svc = (name: string, type = 'LoadBalancer'): Svc => ({
  metadata: { namespace: 'default', name },
  spec: { type },
});

/** A reconcile whose calls stay pending until the test resolves or rejects them. */
class ControlledReconciler {
  readonly calls: { key: string; ctx: ReconcileContext; at: number }[] = [];
  private readonly pending = new Map<
    string,
    { resolve: (r?: ReconcileResult) => void; reject: (e: unknown) => void }
  >();
  active = 0;
  maxActivePerKey = new Map<string, number>();
  private activeKeys = new Map<string, number>();

  constructor(private readonly clock: ManualScheduler) {}

  readonly reconcile = (key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> => {
    this.calls.push({ key, ctx, at: this.clock.now() });
    this.active++;
    const n = (this.activeKeys.get(key) ?? 0) + 1;
    this.activeKeys.set(key, n);
    this.maxActivePerKey.set(key, Math.max(n, this.maxActivePerKey.get(key) ?? 0));
    return new Promise<ReconcileResult | void>((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
    }).finally(() => {
      this.active--;
      this.activeKeys.set(key, (this.activeKeys.get(key) ?? 1) - 1);
    });
  };

  inFlight(): string[] {
    return [...this.pending.keys()];
  }

  async finish(key: string, result?: ReconcileResult): Promise<void> {
    this.take(key).resolve(result);
    await flushPromises();
  }

  async fail(key: string, err: unknown): Promise<void> {
    this.take(key).reject(err);
    await flushPromises();
  }

  private take(key: string) {
    const p = this.pending.get(key);
    if (!p) {
      throw new Error(`no reconcile of ${key} in flight`);
    }
    this.pending.delete(key);
    return p;
  }
}

describe('Controller', () => {
  let clock: ManualScheduler;
  let informer: FakeInformer<Svc>;
  let r: ControlledReconciler;

  const newController = (options: Partial<ControllerOptions> = {}) => {
    const c = new Controller({
      name: 'test',
      scheduler: clock,
      reconcile: r.reconcile,
      ...options,
    });
    c.watch(informer);
    return c;
  };

  /** A running controller whose first reconcile (of default/a) is in flight. */
  const runningWithA = async (options: Partial<ControllerOptions> = {}) => {
    const c = newController(options);
    informer.markSynced();
    await c.start();
    informer.add(svc('a'));
    await flushPromises();
    return c;
  };

  beforeEach(() => {
    clock = new ManualScheduler();
    informer = new FakeInformer<Svc>();
    r = new ControlledReconciler(clock);
  });

  it('should wait for the informer to sync before starting workers', async () => {
    const c = newController();
    informer.add(svc('a'));
    let started: boolean | undefined;
    void c.start().then((ok) => (started = ok));
    await clock.advance(1000);
    expect(started).toBeUndefined();
    expect(r.calls).toHaveLength(0);
    informer.markSynced();
    await clock.advance(100);
    expect(started).toBe(true);
    expect(c.isRunning()).toBe(true);
    expect(r.calls.map((x) => x.key)).toEqual(['default/a']);
    await r.finish('default/a');
    await c.stop();
  });

  it('should report false when stopped before the caches synced', async () => {
    const c = newController();
    const started = c.start();
    await clock.advance(300);
    await c.stop();
    expect(await started).toBe(false);
    expect(r.calls).toHaveLength(0);
  });

  it('should never reconcile one key concurrently, even with many workers', async () => {
    const c = newController({ workers: 4 });
    informer.markSynced();
    await c.start();
    informer.add(svc('a'));
    informer.add(svc('b'));
    await flushPromises();
    expect(r.inFlight().sort()).toEqual(['default/a', 'default/b']);
    // Updates while a is in flight: queued once, not handed to the idle workers.
    informer.update(svc('a', 'ClusterIP'));
    informer.update(svc('a', 'LoadBalancer'));
    await flushPromises();
    expect(r.calls.filter((x) => x.key === 'default/a')).toHaveLength(1);
    await r.finish('default/a');
    expect(r.calls.filter((x) => x.key === 'default/a')).toHaveLength(2);
    await r.finish('default/a');
    await r.finish('default/b');
    expect(r.calls.filter((x) => x.key === 'default/a')).toHaveLength(2);
    expect(Math.max(...r.maxActivePerKey.values())).toBe(1);
    await c.stop();
  });

  it('should run distinct keys in parallel up to the worker count', async () => {
    const c = newController({ workers: 2 });
    informer.markSynced();
    await c.start();
    ['a', 'b', 'c'].forEach((n) => informer.add(svc(n)));
    await flushPromises();
    expect(r.active).toBe(2);
    await r.finish('default/a');
    expect(r.inFlight().sort()).toEqual(['default/b', 'default/c']);
    await r.finish('default/b');
    await r.finish('default/c');
    await c.stop();
  });

  it('should retry failures with the rate limiter backoff and forget on success', async () => {
    const c = await runningWithA({
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(5000, 300_000),
    });
    for (let i = 0; i < 4; i++) {
      await r.fail('default/a', new Error('cloud says no'));
      await clock.advanceToNext();
    }
    const times = r.calls.map((x) => x.at - r.calls[0].at);
    expect(times).toEqual([0, 5000, 15_000, 35_000, 75_000]);
    expect(r.calls.map((x) => x.ctx.numRequeues)).toEqual([0, 1, 2, 3, 4]);
    await r.finish('default/a');
    expect(c.queue.numRequeues('default/a')).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    await c.stop();
  });

  it('should log retries at the policy level and drop the key after maxRetries, as upstream handleErr', async () => {
    const lines: [string, string][] = [];
    const record = (level: string) => (_fields: object, message: string) =>
      lines.push([level, message]);
    const logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const c = await runningWithA({
      logger,
      retryPolicy: {
        level: 'debug',
        message: 'Error syncing endpoints, retrying',
        maxRetries: 2,
        droppedMessage: 'Dropping service out of the queue',
      },
    });
    for (let i = 0; i < 3; i++) {
      await r.fail('default/a', new Error('endpoints "a" already exists'));
      await clock.advanceToNext();
    }
    expect(lines.filter(([, message]) => /ing (endpoints|service)/.test(message))).toEqual([
      ['debug', 'Error syncing endpoints, retrying'],
      ['debug', 'Error syncing endpoints, retrying'],
      ['error', 'Dropping service out of the queue'],
    ]);
    // Dropped: no retry pending and the backoff forgotten; the next event syncs it again.
    expect(r.calls).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
    expect(c.queue.numRequeues('default/a')).toBe(0);
    informer.update(svc('a', 'ClusterIP'));
    await flushPromises();
    expect(r.calls).toHaveLength(4);
    await r.finish('default/a');
    await c.stop();
  });

  it('should requeue after exactly the delay of a RequeueAfterError (also wrapped), without backoff growth', async () => {
    const c = await runningWithA();
    await r.fail('default/a', new RequeueAfterError('LB provisioning', 10_000));
    await clock.advanceToNext();
    await r.fail('default/a', new Error('wrapped', { cause: new RequeueAfterError('x', 10_000) }));
    await clock.advanceToNext();
    expect(r.calls.map((x) => x.at - r.calls[0].at)).toEqual([0, 10_000, 20_000]);
    expect(c.queue.numRequeues('default/a')).toBe(0);
    await r.finish('default/a');
    await c.stop();
  });

  it("should log a fixed retry delay as a Go duration, as the service controller's warning", async () => {
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_fields: object, message: string) => warnings.push(message),
      error: () => undefined,
    };
    const c = await runningWithA({ logger });
    await r.fail('default/a', new RequeueAfterError('LB provisioning', 3000));
    expect(warnings).toEqual(['error processing default/a (retrying in 3s)']);
    await clock.advanceToNext();
    await r.finish('default/a');
    await c.stop();
  });

  it('should honour a { requeueAfter } result and reset the backoff', async () => {
    const c = await runningWithA({
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(5000, 300_000),
    });
    await r.fail('default/a', new Error('boom'));
    await clock.advanceToNext();
    await r.finish('default/a', { requeueAfter: 60_000 });
    expect(c.queue.numRequeues('default/a')).toBe(0);
    await clock.advance(59_999);
    expect(r.calls).toHaveLength(2);
    await clock.advance(1);
    expect(r.calls).toHaveLength(3);
    await r.finish('default/a', { requeue: true });
    expect(c.queue.numRequeues('default/a')).toBe(1);
    await clock.advanceToNext();
    expect(r.calls).toHaveLength(4);
    await r.finish('default/a');
    await c.stop();
  });

  it('should survive a reconcile that throws synchronously', async () => {
    let calls = 0;
    const c = new Controller({
      name: 'sync-throw',
      scheduler: clock,
      reconcile: (key) => {
        calls++;
        if (key === 'default/bad') {
          throw new TypeError('bug');
        }
      },
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(1000, 1000),
    });
    c.watch(informer);
    informer.markSynced();
    await c.start();
    informer.add(svc('bad'));
    await flushPromises();
    informer.add(svc('good'));
    await flushPromises();
    expect(calls).toBe(2);
    await clock.advance(1000);
    expect(calls).toBe(3);
    expect(c.queue.numRequeues('default/good')).toBe(0);
    await c.stop();
  });

  it('should apply event filters and enqueue tombstones by their key', async () => {
    const c = new Controller({ name: 'f', scheduler: clock, reconcile: r.reconcile });
    c.watch(informer, {
      add: (o) => o.spec?.type === 'LoadBalancer',
      update: (o, n) => o.spec?.type !== n.spec?.type,
      delete: false,
    });
    informer.add(svc('cluster-ip', 'ClusterIP'));
    informer.add(svc('lb'));
    expect(c.queue.len()).toBe(1);
    informer.update(svc('lb'));
    expect(c.queue.len()).toBe(1);
    informer.delete(svc('lb'));
    expect(c.queue.len()).toBe(1);
    const other = new Controller({ name: 'g', scheduler: clock, reconcile: r.reconcile });
    const second = new FakeInformer<Svc>();
    other.watch(second);
    second.add(svc('x'));
    expect(await other.queue.get()).toEqual({ item: 'default/x', shutdown: false });
    other.queue.done('default/x');
    second.delete(svc('x'), true);
    expect(await other.queue.get()).toEqual({ item: 'default/x', shutdown: false });
    expect(other.enqueue({ metadata: {} })).toBe(false);
  });

  it('should stop taking work and let in-flight reconciles finish', async () => {
    const c = newController({ workers: 2 });
    informer.markSynced();
    await c.start();
    informer.add(svc('a'));
    informer.add(svc('b'));
    informer.add(svc('c'));
    await flushPromises();
    let result: { drained: boolean } | undefined;
    void c.stop(30_000).then((x) => (result = x));
    await flushPromises();
    expect(result).toBeUndefined();
    await r.finish('default/a');
    expect(result).toBeUndefined();
    await r.finish('default/b');
    expect(result).toEqual({ drained: true });
    // c was still queued: not started after stop.
    expect(r.calls.map((x) => x.key).sort()).toEqual(['default/a', 'default/b']);
    informer.add(svc('d'));
    await flushPromises();
    expect(r.calls).toHaveLength(2);
  });

  it('should give up waiting after the timeout and abort the reconcile signal', async () => {
    const c = newController();
    informer.markSynced();
    await c.start();
    informer.add(svc('stuck'));
    await flushPromises();
    const signal = r.calls[0].ctx.signal;
    let result: { drained: boolean } | undefined;
    void c.stop(5000).then((x) => (result = x));
    await clock.advance(4999);
    expect(result).toBeUndefined();
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    expect(result).toEqual({ drained: false });
    expect(signal.aborted).toBe(true);
  });

  it('should run periodic tasks after sync and stop them with the controller', async () => {
    const runs: number[] = [];
    const c = newController({
      periodics: [{ name: 'resync', periodMs: 10_000, run: () => void runs.push(clock.now()) }],
    });
    const t0 = clock.now();
    informer.markSynced();
    await c.start();
    await clock.advance(25_000);
    expect(runs.map((t) => t - t0)).toEqual([0, 10_000, 20_000]);
    await c.stop();
    await clock.advance(50_000);
    expect(runs).toHaveLength(3);
  });

  it('should refuse to start twice', async () => {
    const c = newController();
    informer.markSynced();
    await c.start();
    await expect(c.start()).rejects.toThrow(/already started/);
    await c.stop();
  });
});

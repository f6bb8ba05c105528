import { Registry } from 'prom-client';
import { ItemExponentialFailureRateLimiter } from '../rate-limiters';
import { ManualScheduler } from '../testing/manual-scheduler';
import { RateLimitingQueue } from './rate-limiting-queue';

async function metricValues(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) {
    throw new Error(`no metric ${name}`);
  }
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const suffix = (v as { metricName?: string }).metricName ?? name;
    const le = (v.labels as { le?: string | number }).le;
    out[`${suffix}{${String(v.labels.name)}${le === undefined ? '' : `,le=${le}`}}`] = v.value;
  }
  return out;
}

describe('RateLimitingQueue', () => {
  it('should re-queue with growing per-item delays and reset them on forget', async () => {
    const clock = new ManualScheduler();
    const q = new RateLimitingQueue<string>({
      scheduler: clock,
      rateLimiter: new ItemExponentialFailureRateLimiter<string>(5000, 300_000),
    });
    const readyAfter: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = clock.now();
      q.addRateLimited('svc');
      while (q.len() === 0) {
        await clock.advanceToNext();
      }
      readyAfter.push(clock.now() - t0);
      await q.get();
      q.done('svc');
    }
    expect(readyAfter).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(q.numRequeues('svc')).toBe(4);
    q.forget('svc');
    expect(q.numRequeues('svc')).toBe(0);
  });

  it('should use the default controller limiter when none is given', () => {
    const q = new RateLimitingQueue<string>({ scheduler: new ManualScheduler() });
    q.addRateLimited('a');
    expect(q.waitingLen()).toBe(1);
    expect(q.rateLimiter.numRequeues('a')).toBe(1);
  });

  it('should publish the upstream workqueue metrics labelled by name', async () => {
    const clock = new ManualScheduler();
    const registry = new Registry();
    const q = new RateLimitingQueue<string>({ scheduler: clock, registry, name: 'service' });
    const other = new RateLimitingQueue<string>({ scheduler: clock, registry, name: 'node' });
    q.add('a');
    q.add('b');
    q.add('a');
    other.add('n');
    expect(await metricValues(registry, 'workqueue_adds_total')).toEqual({
      'workqueue_adds_total{service}': 2,
      'workqueue_adds_total{node}': 1,
    });
    expect((await metricValues(registry, 'workqueue_depth'))['workqueue_depth{service}']).toBe(2);
    // Another queue with the same name on the registry shares the series without resetting it.
    new RateLimitingQueue<string>({ scheduler: clock, registry, name: 'service' });
    expect((await metricValues(registry, 'workqueue_depth'))['workqueue_depth{service}']).toBe(2);

    await clock.advance(2000);
    await q.get();
    await clock.advance(3000);
    const unfinished = await metricValues(registry, 'workqueue_unfinished_work_seconds');
    expect(unfinished['workqueue_unfinished_work_seconds{service}']).toBe(3);
    const longest = await metricValues(registry, 'workqueue_longest_running_processor_seconds');
    expect(longest['workqueue_longest_running_processor_seconds{service}']).toBe(3);
    q.done('a');

    const latency = await metricValues(registry, 'workqueue_queue_duration_seconds');
    expect(latency['workqueue_queue_duration_seconds_sum{service}']).toBe(2);
    expect(latency['workqueue_queue_duration_seconds_count{service}']).toBe(1);
    const work = await metricValues(registry, 'workqueue_work_duration_seconds');
    expect(work['workqueue_work_duration_seconds_sum{service}']).toBe(3);
    expect((await metricValues(registry, 'workqueue_depth'))['workqueue_depth{service}']).toBe(1);

    q.addRateLimited('c');
    q.addAfter('d', 10);
    expect(
      (await metricValues(registry, 'workqueue_retries_total'))['workqueue_retries_total{service}'],
    ).toBe(2);
    const text = await registry.metrics();
    expect(text).toContain('# HELP workqueue_depth Current depth of workqueue');
    expect(text).toContain('workqueue_queue_duration_seconds_bucket{le="1e-8",name="service"}');
  });
});

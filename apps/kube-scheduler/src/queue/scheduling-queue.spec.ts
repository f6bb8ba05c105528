import { ManualScheduler } from '@app/controller-runtime';
import { makeNode, makePod, testCluster } from '../testing/builders';
import { QUEUE_DEFAULTS, SchedulingQueue, type QueuedPodInfo } from './scheduling-queue';

function setup() {
  const clock = new ManualScheduler();
  const { framework } = testCluster([]);
  const incoming: string[] = [];
  const queue = new SchedulingQueue({
    scheduler: clock,
    framework,
    onIncoming: (q, e) => incoming.push(`${q}:${e}`),
  });
  queue.run();
  return { clock, queue, incoming };
}

/** Pops and fails a pod as the scheduler would (rejected by `plugins`). */
async function fail(queue: SchedulingQueue, plugins: string[]): Promise<QueuedPodInfo> {
  const p = (await queue.pop())!;
  p.unschedulablePlugins = new Set(plugins);
  queue.addUnschedulable(p, true);
  return p;
}

describe('SchedulingQueue', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => (t = setup()));
  afterEach(() => t.queue.close());

  it('pops by priority, then by arrival', async () => {
    t.queue.add(makePod('low-1', { priority: 0 }));
    await t.clock.advance(10);
    t.queue.add(makePod('high', { priority: 100 }));
    await t.clock.advance(10);
    t.queue.add(makePod('low-2', { priority: 0 }));
    const order = [];
    for (let i = 0; i < 3; i++) {
      order.push((await t.queue.pop())!.info.name);
    }
    expect(order).toEqual(['high', 'low-1', 'low-2']);
  });

  it('backs off 1 s doubling per attempt up to 10 s', async () => {
    t.queue.add(makePod('p'));
    const p = (await t.queue.pop())!;
    const durations = [];
    for (let attempts = 1; attempts <= 6; attempts++) {
      p.attempts = attempts;
      durations.push(t.queue.backoffDurationMs(p));
    }
    expect(durations).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('keeps a rejected pod until an event its rejecting plugin cares about', async () => {
    t.queue.add(makePod('p', { cpu: '8' }));
    await fail(t.queue, ['NodeResourcesFit']);
    expect(t.queue.whereIs('default/p')).toBe('unschedulable');
    // A node too small for the pod does not help (NodeResourcesFit hint).
    t.queue.moveAllToActiveOrBackoff('Node/Add', undefined, makeNode('small', { cpu: '2' }));
    expect(t.queue.whereIs('default/p')).toBe('unschedulable');
    // An event no rejecting plugin registered for does not help either.
    t.queue.moveAllToActiveOrBackoff('CSINode/Add', undefined, {});
    expect(t.queue.whereIs('default/p')).toBe('unschedulable');
    t.queue.moveAllToActiveOrBackoff('Node/Add', undefined, makeNode('big', { cpu: '16' }));
    // Still within its 1 s backoff → backoffQ, then activeQ once it expires.
    expect(t.queue.whereIs('default/p')).toBe('backoff');
    await t.clock.advance(QUEUE_DEFAULTS.backoffFlushMs + 1000);
    expect(t.queue.whereIs('default/p')).toBe('active');
    expect(t.incoming).toContain('backoff:NodeAdd');
    expect(t.incoming).toContain('active:BackoffComplete');
  });

  it('moves a pod on an assigned pod deletion (resources freed)', async () => {
    t.queue.add(makePod('p', { cpu: '8' }));
    await fail(t.queue, ['NodeResourcesFit']);
    await t.clock.advance(5000);
    t.queue.moveAllToActiveOrBackoff('Pod/Delete', makePod('gone', { node: 'n' }));
    expect(t.queue.whereIs('default/p')).toBe('active');
  });

  it('remembers events that happen while a pod is being scheduled', async () => {
    t.queue.add(makePod('p', { cpu: '8' }));
    const p = (await t.queue.pop())!;
    t.queue.moveAllToActiveOrBackoff('Node/Add', undefined, makeNode('big', { cpu: '16' }));
    p.unschedulablePlugins = new Set(['NodeResourcesFit']);
    t.queue.addUnschedulable(p, true);
    expect(t.queue.whereIs('default/p')).toBe('backoff');
  });

  it('retries unschedulable pods after 5 minutes anyway', async () => {
    t.queue.add(makePod('p'));
    await fail(t.queue, ['TaintToleration']);
    await t.clock.advance(QUEUE_DEFAULTS.maxInUnschedulableMs);
    expect(t.queue.whereIs('default/p')).toBe('unschedulable');
    await t.clock.advance(QUEUE_DEFAULTS.unschedulableFlushMs);
    expect(t.queue.whereIs('default/p')).toBe('active');
    expect(t.incoming).toContain('active:UnschedulableTimeout');
  });

  it('holds gated pods aside until their gates are removed', async () => {
    const gated = makePod('g', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } });
    t.queue.add(gated);
    expect(t.queue.whereIs('default/g')).toBe('gated');
    expect(t.queue.pendingCounts()).toEqual({ active: 0, backoff: 0, unschedulable: 0, gated: 1 });
    await t.clock.advance(
      QUEUE_DEFAULTS.maxInUnschedulableMs + QUEUE_DEFAULTS.unschedulableFlushMs,
    );
    expect(t.queue.whereIs('default/g')).toBe('gated');
    t.queue.update(gated, { ...gated, spec: { ...gated.spec!, schedulingGates: [] } });
    expect(t.queue.whereIs('default/g')).toBe('active');
  });

  it('requeues an unschedulable pod whose spec changed, not one whose status changed', async () => {
    const pod = makePod('p');
    t.queue.add(pod);
    await fail(t.queue, ['TaintToleration']);
    await t.clock.advance(5000);
    t.queue.update(pod, { ...pod, status: { phase: 'Pending', conditions: [] } });
    expect(t.queue.whereIs('default/p')).toBe('unschedulable');
    t.queue.update(pod, { ...pod, spec: { ...pod.spec!, tolerations: [{ operator: 'Exists' }] } });
    expect(t.queue.whereIs('default/p')).toBe('active');
  });

  it('drops a pod deleted while it was being scheduled', async () => {
    const pod = makePod('p');
    t.queue.add(pod);
    const p = (await t.queue.pop())!;
    t.queue.delete(pod);
    t.queue.addUnschedulable(p, true);
    expect(t.queue.whereIs('default/p')).toBeUndefined();
  });

  it('wakes a waiting pop', async () => {
    const popped = t.queue.pop();
    t.queue.add(makePod('late'));
    expect((await popped)!.info.name).toBe('late');
  });
});

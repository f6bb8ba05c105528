import { ManualScheduler, type KubeObject } from '@app/controller-runtime';
import type { V1Pod } from '@app/kube-client';
import { podKey } from '../api/pod-helpers';
import { ScheduleAlgorithm } from '../framework/schedule-pod';
import { SchedulingQueue } from '../queue/scheduling-queue';
import { makeNode, makePod, testCluster } from '../testing/builders';
import { Preemptor } from './preemptor';
import { SchedulerLoop, truncateMessage, type PodApi, type Recorder } from './scheduler-loop';

interface RecordedEvent {
  regarding: string;
  related?: string;
  type: string;
  reason: string;
  action: string;
  note: string;
}

class FakePods implements PodApi {
  readonly bound: [string, string][] = [];
  readonly patches: [string, object][] = [];
  readonly deleted: string[] = [];
  bindError: Error | undefined;

  bind(namespace: string, name: string, _uid: string | undefined, node: string): Promise<void> {
    if (this.bindError) {
      return Promise.reject(this.bindError);
    }
    this.bound.push([`${namespace}/${name}`, node]);
    return Promise.resolve();
  }
  patchStatus(namespace: string, name: string, body: object): Promise<unknown> {
    this.patches.push([`${namespace}/${name}`, body]);
    return Promise.resolve({});
  }
  delete(namespace: string, name: string): Promise<void> {
    this.deleted.push(`${namespace}/${name}`);
    return Promise.resolve();
  }
}

class FakeRecorder implements Recorder {
  readonly events: RecordedEvent[] = [];
  eventf(
    regarding: KubeObject,
    related: KubeObject | undefined,
    type: string,
    reason: string,
    action: string,
    note: string,
  ): void {
    this.events.push({
      regarding: regarding.metadata?.name ?? '',
      ...(related ? { related: related.metadata?.name } : {}),
      type,
      reason,
      action,
      note,
    });
  }
}

function setup(
  nodes = ['worker-1', 'worker-2', 'worker-3'].map((n) => makeNode(n)),
  bound: V1Pod[] = [],
) {
  const clock = new ManualScheduler();
  const pods = new FakePods();
  const recorder = new FakeRecorder();
  const known = new Map<string, V1Pod>();
  const { cache, framework } = testCluster(nodes, bound, {
    preemption: new Preemptor(
      {
        ...pods,
        bind: pods.bind.bind(pods),
        patchStatus: pods.patchStatus.bind(pods),
        delete: pods.delete.bind(pods),
      },
      recorder,
      undefined,
      clock,
      { debug() {}, info() {}, warn() {}, error() {} },
    ),
  });
  const queue = new SchedulingQueue({ scheduler: clock, framework });
  const loop = new SchedulerLoop({
    framework,
    algorithm: new ScheduleAlgorithm(framework, cache, 0, () => 0),
    cache,
    queue,
    pods,
    recorder,
    lookupPod: (key) => known.get(key),
    scheduler: clock,
  });
  /** Adds the pod (as the informer would) and runs one attempt. */
  const attempt = async (pod: V1Pod) => {
    known.set(podKey(pod), pod);
    queue.add(pod);
    const p = await queue.pop();
    loop.scheduleOne(p!);
    await clock.advance(0);
  };
  return { clock, pods, recorder, cache, queue, loop, attempt, known };
}

describe('SchedulerLoop (scheduleOne, failure handling, binding)', () => {
  it('binds a fitting pod and records Scheduled', async () => {
    const t = setup();
    await t.attempt(makePod('web', { cpu: '1' }));
    // Equal scores: random() = 0 makes reservoir sampling keep replacing, so the last node wins.
    expect(t.pods.bound).toEqual([['default/web', 'worker-3']]);
    expect(t.recorder.events).toEqual([
      {
        regarding: 'web',
        type: 'Normal',
        reason: 'Scheduled',
        action: 'Binding',
        note: 'Successfully assigned default/web to worker-3',
      },
    ]);
    expect(t.cache.nodeInfo('worker-3')!.requested.milliCPU).toBe(1000);
    expect(
      t.cache.isAssumed(t.pods.bound.length ? [...t.known.values()][0].metadata!.uid! : ''),
    ).toBe(true);
  });

  it('C7: FailedScheduling, PodScheduled=False/Unschedulable with the same text, pod waits', async () => {
    const t = setup();
    await t.attempt(makePod('big', { cpu: '100' }));
    const message =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    expect(t.recorder.events).toEqual([
      {
        regarding: 'big',
        type: 'Warning',
        reason: 'FailedScheduling',
        action: 'Scheduling',
        note: message,
      },
    ]);
    expect(t.pods.patches).toEqual([
      [
        'default/big',
        {
          status: {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                lastProbeTime: null,
                lastTransitionTime: '2026-01-01T00:00:00Z',
                reason: 'Unschedulable',
                message,
              },
            ],
          },
        },
      ],
    ]);
    expect(t.queue.whereIs('default/big')).toBe('unschedulable');
  });

  it('C8: taint and resource reasons, preemption split by resolvability', async () => {
    const nodes = [
      makeNode('worker-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      makeNode('worker-2'),
      makeNode('worker-3'),
    ];
    const t = setup(nodes, [
      makePod('full-2', { cpu: '4', node: 'worker-2' }),
      makePod('full-3', { cpu: '4', node: 'worker-3' }),
    ]);
    await t.attempt(makePod('p', { cpu: '1' }));
    expect(t.recorder.events[0].note).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('preempts lower-priority pods: victims condition + deletion + Preempted, nominates the node', async () => {
    const t = setup(
      [makeNode('worker-1', { cpu: '2' })],
      [makePod('low', { cpu: '2', node: 'worker-1', priority: 0 })],
    );
    await t.attempt(makePod('high', { cpu: '2', priority: 1000 }));
    await t.clock.advance(0);
    expect(t.pods.deleted).toEqual(['default/low']);
    const victimPatch = t.pods.patches.find(([k]) => k === 'default/low')![1];
    expect(victimPatch).toEqual({
      status: {
        conditions: [
          expect.objectContaining({
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: 'default-scheduler: preempting to accommodate a higher priority pod',
          }),
        ],
      },
    });
    const failed = t.recorder.events.find((e) => e.reason === 'FailedScheduling')!;
    expect(failed.note).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    const preempted = t.recorder.events.find((e) => e.reason === 'Preempted')!;
    expect(preempted).toMatchObject({ regarding: 'low', related: 'high', action: 'Preempting' });
    expect(preempted.note).toMatch(/^Preempted by pod uid-high-\d+ on node worker-1$/);
    const own = t.pods.patches.find(([k]) => k === 'default/high')![1] as {
      status: { nominatedNodeName: string };
    };
    expect(own.status.nominatedNodeName).toBe('worker-1');
  });

  it('does not preempt with preemptionPolicy Never', async () => {
    const t = setup(
      [makeNode('worker-1', { cpu: '2' })],
      [makePod('low', { cpu: '2', node: 'worker-1' })],
    );
    await t.attempt(
      makePod('polite', { cpu: '2', priority: 10, spec: { preemptionPolicy: 'Never' } }),
    );
    expect(t.recorder.events[0].note).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
    expect(t.pods.deleted).toEqual([]);
  });

  it('explains a failed preemption: the pod still does not fit without the victims', async () => {
    const t = setup(
      [makeNode('worker-1', { cpu: '2' })],
      [makePod('low', { cpu: '1', node: 'worker-1' })],
    );
    await t.attempt(makePod('huge', { cpu: '3', priority: 10 }));
    expect(t.recorder.events[0].note).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
    );
  });

  it('reports a refused binding as SchedulerError and retries after backoff', async () => {
    const t = setup();
    t.pods.bindError = Object.assign(new Error('conflict'), {
      code: 409,
      body: JSON.stringify({
        message:
          'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "worker-9"',
      }),
    });
    await t.attempt(makePod('web'));
    expect(t.recorder.events[0].note).toBe(
      'running Bind plugin "DefaultBinder": Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "worker-9"',
    );
    const patch = t.pods.patches[0][1] as { status: { conditions: { reason: string }[] } };
    expect(patch.status.conditions[0].reason).toBe('SchedulerError');
    expect(t.cache.podCount()).toBe(0);
    expect(t.queue.whereIs('default/web')).toBe('backoff');
  });

  it('skips a pod that is being deleted', async () => {
    const t = setup();
    const pod = makePod('gone');
    pod.metadata!.deletionTimestamp = new Date(0);
    await t.attempt(pod);
    expect(t.recorder.events[0]).toMatchObject({
      reason: 'FailedScheduling',
      note: 'skip schedule deleting pod: default/gone',
    });
    expect(t.pods.bound).toEqual([]);
  });

  it('does not rewrite an unchanged condition on a repeated failure', async () => {
    const t = setup();
    const pod = makePod('big', { cpu: '100' });
    await t.attempt(pod);
    const written = t.pods.patches[0][1] as { status: { conditions: object[] } };
    const updated = { ...pod, status: { ...pod.status, conditions: written.status.conditions } };
    t.known.set('default/big', updated as V1Pod);
    t.queue.delete(pod);
    await t.attempt(updated as V1Pod);
    expect(t.pods.patches).toHaveLength(1);
    expect(t.recorder.events).toHaveLength(2);
  });

  it('truncates long notes to 1024 characters like upstream', () => {
    const long = 'x'.repeat(2000);
    expect(truncateMessage(long)).toHaveLength(1024);
    expect(truncateMessage(long).endsWith(' ...')).toBe(true);
    expect(truncateMessage('short')).toBe('short');
  });
});

import { eventually, pod, SchedulerE2e } from './harness';

// kube-scheduler against the built-in api-server, driven with the real kubectl: nodes registered as
// a simulated kubelet registers them, scenarios C7–C9 of cluster-simulation.md §8, retries on
// cluster events, spreading and zone affinity.
jest.setTimeout(120_000);

interface PodJson {
  spec: { nodeName?: string };
  status: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const nodeOf = async (e: SchedulerE2e, name: string, ns = 'default') =>
  (await e.json<PodJson>(['get', 'pod', name, '-n', ns])).spec.nodeName;

const scheduledCondition = async (e: SchedulerE2e, name: string) =>
  (await e.json<PodJson>(['get', 'pod', name])).status.conditions?.find(
    (c) => c.type === 'PodScheduled',
  );

/** The latest FailedScheduling line of `kubectl describe pod` (From default-scheduler). */
async function failedScheduling(e: SchedulerE2e, name: string): Promise<string> {
  const out = await e.ok(['describe', 'pod', name]);
  const line = out
    .split('\n')
    .filter((l) => l.includes('FailedScheduling'))
    .pop();
  if (!line) {
    throw new Error(`no FailedScheduling event yet:\n${out}`);
  }
  expect(line).toMatch(/^\s+Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+/);
  return line.replace(/^\s+Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+/, '').trimEnd();
}

describe('kube-scheduler: C7 and C8 (unschedulable pods), retries on cluster events', () => {
  let e: SchedulerE2e;

  beforeAll(async () => {
    e = await SchedulerE2e.start();
    for (const n of ['worker-1', 'worker-2', 'worker-3']) {
      await e.registerNode(n, { initialized: true });
    }
    await e.startScheduler();
  });

  afterAll(async () => {
    await e?.close();
  });

  it('schedules a pod, records Scheduled from default-scheduler and PodScheduled=True', async () => {
    await e.create(pod('first'));
    const node = await eventually(async () => {
      const n = await nodeOf(e, 'first');
      expect(n).toMatch(/^worker-[123]$/);
      return n;
    });
    await eventually(async () => {
      const out = await e.ok(['describe', 'pod', 'first']);
      expect(out).toMatch(
        new RegExp(
          `Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/first to ${node}\\n`,
        ),
      );
    });
    expect(await scheduledCondition(e, 'first')).toMatchObject({ status: 'True' });
    const events = await e.json<{ items: Record<string, unknown>[] }>([
      'get',
      'events.v1.events.k8s.io',
      '--field-selector',
      'regarding.name=first',
    ]);
    expect(events.items[0]).toMatchObject({
      reportingController: 'default-scheduler',
      action: 'Binding',
      reason: 'Scheduled',
      note: `Successfully assigned default/first to ${node}`,
      type: 'Normal',
    });
    expect(String(events.items[0].reportingInstance)).toMatch(/^default-scheduler-/);
  });

  it('C7: a pod requesting 100 CPUs stays Pending with the exact FailedScheduling message', async () => {
    await e.create(pod('big', { cpu: '100' }));
    const message = await eventually(() => failedScheduling(e, 'big'));
    expect(message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    await eventually(async () =>
      expect(await scheduledCondition(e, 'big')).toMatchObject({
        status: 'False',
        reason: 'Unschedulable',
        message,
      }),
    );
    expect(await e.ok(['describe', 'pod', 'big'])).toMatch(/PodScheduled\s+False/);
    expect(await e.ok(['get', 'pod', 'big', '--no-headers'])).toMatch(/\bPending\b/);
  });

  it('C8: a tainted node and two full nodes give the mixed message', async () => {
    await e.ok(['taint', 'node', 'worker-1', 'dedicated=gpu:NoSchedule']);
    // Fill worker-2 and worker-3 (4 CPUs each; `first` may hold 100m of one of them).
    await e.create(pod('filler-a', { cpu: '3500m' }));
    await e.create(pod('filler-b', { cpu: '3500m' }));
    const fillers = await eventually(async () => {
      const nodes = [await nodeOf(e, 'filler-a'), await nodeOf(e, 'filler-b')];
      expect(nodes.sort()).toEqual(['worker-2', 'worker-3']);
      return nodes;
    });
    expect(fillers).toHaveLength(2);
    await e.create(pod('mixed', { cpu: '1' }));
    expect(await eventually(() => failedScheduling(e, 'mixed'))).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('retries when a pod is deleted: the freed node takes the waiting pod', async () => {
    const freed = await nodeOf(e, 'filler-a');
    await e.ok(['delete', 'pod', 'filler-a', '--grace-period=0', '--force']);
    await eventually(async () => expect(await nodeOf(e, 'mixed')).toBe(freed));
  });

  it('retries when a node is added: a new node takes the waiting pod', async () => {
    await e.create(pod('waiting', { cpu: '3500m' }));
    await eventually(() => failedScheduling(e, 'waiting'));
    await e.registerNode('worker-4', { initialized: true });
    await eventually(async () => expect(await nodeOf(e, 'waiting')).toBe('worker-4'));
    // The 100-CPU pod still fits nowhere.
    expect(await nodeOf(e, 'big')).toBeUndefined();
  });

  it('exposes the scheduler metrics under upstream names', async () => {
    const registry = e.schedulers[0].registry;
    const text = await registry.metrics();
    expect(text).toMatch(
      /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/,
    );
    expect(text).toMatch(
      /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/,
    );
    expect(text).toMatch(/scheduler_pod_scheduling_sli_duration_seconds_bucket/);
    // Only the 100-CPU pod waits (it may just be back from a retry, hence eventually).
    await eventually(async () =>
      expect(await registry.metrics()).toMatch(/scheduler_pending_pods\{queue="unschedulable"\} 1/),
    );
  });
});

describe('kube-scheduler: C9 (uninitialized nodes), no nodes, spreading, zone affinity', () => {
  let e: SchedulerE2e;

  beforeAll(async () => {
    e = await SchedulerE2e.start();
    await e.startScheduler();
  });

  afterAll(async () => {
    await e?.close();
  });

  it('reports "no nodes available to schedule pods" when there are no nodes', async () => {
    await e.create(pod('early'));
    expect(await eventually(() => failedScheduling(e, 'early'))).toBe(
      'no nodes available to schedule pods',
    );
  });

  it('C9: an uninitialized node is skipped with the taint reason', async () => {
    await e.registerNode('worker-1');
    await eventually(async () =>
      expect(await failedScheduling(e, 'early')).toBe(
        '0/1 nodes are available: 1 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: true}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      ),
    );
  });

  it('C9: pods land only on initialized nodes', async () => {
    await e.registerNode('worker-2', { initialized: true, zone: 'nimbus-1b' });
    await eventually(async () => expect(await nodeOf(e, 'early')).toBe('worker-2'));
    for (const name of ['c9-a', 'c9-b', 'c9-c']) {
      await e.create(pod(name));
    }
    await eventually(async () => {
      const wide = await e.ok(['get', 'pods', '-o', 'wide', '--no-headers']);
      const nodes = wide
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[6]);
      expect(nodes).toEqual(['worker-2', 'worker-2', 'worker-2', 'worker-2']);
    });
  });

  it('schedules onto a node once initialised by hand (node update)', async () => {
    await e.create(
      pod('zone-a', {
        spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'nimbus-1a' } },
      }),
    );
    expect(await eventually(() => failedScheduling(e, 'zone-a'))).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: true}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    // What the CCM would do: provider ID, zone labels, taint removed.
    await e.ok([
      'patch',
      'node',
      'worker-1',
      '--type',
      'merge',
      '-p',
      JSON.stringify({
        metadata: {
          labels: {
            'topology.kubernetes.io/zone': 'nimbus-1a',
            'topology.kubernetes.io/region': 'nimbus-1',
          },
        },
        spec: { providerID: 'nimbus://default/nimbus-1a/i-worker-1', taints: null },
      }),
    ]);
    await eventually(async () => expect(await nodeOf(e, 'zone-a')).toBe('worker-1'));
  });

  it('spreads three replica-like pods of a Service across three equal nodes', async () => {
    await e.registerNode('worker-3', { initialized: true, zone: 'nimbus-1c' });
    await e.createNamespace('spread');
    await e.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:80', '-n', 'spread']);
    for (const i of [1, 2, 3]) {
      await e.create(pod(`web-${i}`, { namespace: 'spread', labels: { app: 'web' } }));
    }
    const nodes = await eventually(async () => {
      const placed = await Promise.all([1, 2, 3].map((i) => nodeOf(e, `web-${i}`, 'spread')));
      expect(placed.every((n) => n !== undefined)).toBe(true);
      return placed;
    });
    expect(new Set(nodes).size).toBe(3);
  });

  it('honours required node affinity on the zone label', async () => {
    await e.create(
      pod('in-zone-c', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      {
                        key: 'topology.kubernetes.io/zone',
                        operator: 'In',
                        values: ['nimbus-1c'],
                      },
                    ],
                  },
                ],
              },
            },
          },
        },
      }),
    );
    await eventually(async () => expect(await nodeOf(e, 'in-zone-c')).toBe('worker-3'));
  });

  it('leaves gated pods alone until their scheduling gates are removed', async () => {
    await e.create(pod('gated', { spec: { schedulingGates: [{ name: 'example.com/hold' }] } }));
    expect(await e.ok(['get', 'pod', 'gated', '--no-headers'])).toMatch(/\bSchedulingGated\b/);
    // The scheduler has seen it and holds it aside (no sleeping for a negative).
    await eventually(async () =>
      expect(await e.schedulers[0].registry.metrics()).toMatch(
        /scheduler_pending_pods\{queue="gated"\} 1/,
      ),
    );
    expect(await nodeOf(e, 'gated')).toBeUndefined();
    await e.ok([
      'patch',
      'pod',
      'gated',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/spec/schedulingGates"}]',
    ]);
    await eventually(async () => expect(await nodeOf(e, 'gated')).toMatch(/^worker-/));
  });
});

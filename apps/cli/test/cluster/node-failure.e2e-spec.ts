import { ClusterHarness, condition, hasTaint, isRunningAndReady, waitFor } from './cluster-harness';

// Scenarios C17 and C18 of cluster-simulation.md §8: a stopped instance makes its node Unknown
// after the 50 s grace period, tainted, its pods not Ready; taint-based eviction after the 300 s
// the DefaultTolerationSeconds admission gave them — all on the cloud's clock.
jest.setTimeout(300_000);

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';

describe('node failure (C17, C18)', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
    await h.apply(h.podManifest('victim', 'worker-2'));
    await h.waitForPod('victim', isRunningAndReady, 'Running');
  });

  afterAll(async () => {
    await h?.close();
  });

  const notReady = (name: string) =>
    h.waitForNode(
      name,
      (n) => condition(n, 'Ready')?.status === 'Unknown',
      'Ready Unknown',
      20_000,
    );

  it('C17: a stopped instance turns its node NotReady after the grace period, tainted, its pods not Ready', async () => {
    const victim = await h.pod('victim');
    expect(victim.spec?.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    await h.stopInstance('worker-2');
    await h.advanceClock(20_000);
    // 20 s of silence is within the grace period.
    expect(condition(await h.node('worker-2'), 'Ready')?.status).toBe('True');
    await h.advanceClock(40_000);
    await notReady('worker-2');

    expect(await h.k(['get', 'nodes'])).toMatch(/worker-2\s+NotReady/);
    const node = await h.node('worker-2');
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(condition(node, type)).toEqual(
        expect.objectContaining({
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        }),
      );
    }
    const tainted = await h.waitForNode(
      'worker-2',
      (n) =>
        hasTaint(n, UNREACHABLE, 'NoSchedule') &&
        hasTaint(n, UNREACHABLE, 'NoExecute') &&
        hasTaint(n, SHUTDOWN, 'NoSchedule'),
      'unreachable + shutdown taints',
    );
    const noExecute = tainted.spec?.taints?.find(
      (t) => t.key === UNREACHABLE && t.effect === 'NoExecute',
    );
    expect(noExecute?.timeAdded).toMatch(/Z$/);
    expect(tainted.spec?.taints?.filter((t) => t.key === 'node.kubernetes.io/not-ready')).toEqual(
      [],
    );

    const pod = await h.waitForPod(
      'victim',
      (p) => condition(p, 'Ready')?.status === 'False',
      'marked not Ready',
    );
    expect(pod.status?.phase).toBe('Running');
    expect(condition(pod, 'ContainersReady')?.status).toBe('True');
    expect(await h.k(['get', 'pod', 'victim'])).toMatch(/victim\s+1\/1\s+Running/);
    const podEvent = await waitFor(
      async () => (await h.events('victim', { reason: 'NodeNotReady' }))[0],
    );
    expect([podEvent.type, podEvent.message, podEvent.source?.component]).toEqual([
      'Warning',
      'Node is not ready',
      'node-controller',
    ]);
    const nodeEvent = await waitFor(
      async () => (await h.events('worker-2', { reason: 'NodeNotReady' }))[0],
    );
    expect(nodeEvent.message).toBe('Node worker-2 status is now: NodeNotReady');
    const described = await h.k(['describe', 'node', 'worker-2']);
    expect(described).toMatch(
      /Ready\s+Unknown\s+.*NodeStatusUnknown\s+Kubelet stopped posting node status\./,
    );
    // The healthy nodes never went Unknown on the way.
    for (const name of ['worker-1', 'worker-3']) {
      expect(condition(await h.node(name), 'Ready')?.status).toBe('True');
    }
  });

  it('C18: starting the instance before 300 s cancels the eviction and lifts the taints', async () => {
    await h.advanceClock(60_000);
    await h.startInstance('worker-2');
    // Ready again; the node controller lifts its taints, the CCM its shutdown taint.
    await h.waitForNode(
      'worker-2',
      (n) => condition(n, 'Ready')?.status === 'True' && (n.spec?.taints ?? []).length === 0,
      'Ready again, untainted',
    );
    const cancelled = await waitFor(
      async () =>
        (await h.events('victim', { reason: 'TaintManagerEviction' })).find((e) =>
          e.message.startsWith('Cancelling'),
        ),
      { message: 'eviction cancelled' },
    );
    expect(cancelled.message).toBe('Cancelling deletion of Pod default/victim');
    expect(cancelled.source?.component).toBe('taint-eviction-controller');
    const rebooted = await waitFor(
      async () => (await h.events('worker-2', { reason: 'Rebooted' }))[0],
    );
    expect(rebooted.type).toBe('Warning');
    expect(rebooted.message).toMatch(/^Node worker-2 has been rebooted, boot id: [0-9a-f-]{36}$/);
    // The pod is still there and its container came back after the reboot.
    const pod = await h.waitForPod('victim', isRunningAndReady, 'Ready again');
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    expect(pod.status?.containerStatuses?.[0].restartCount).toBe(1);
  });

  it('C18: after 300 s on the NoExecute taint the pod is marked for deletion', async () => {
    await h.stopInstance('worker-2');
    await h.advanceClock(60_000);
    await notReady('worker-2');
    await h.waitForNode(
      'worker-2',
      (n) => hasTaint(n, UNREACHABLE, 'NoExecute'),
      'NoExecute taint',
    );
    await h.advanceClock(200_000);
    expect((await h.pod('victim')).metadata?.deletionTimestamp).toBeUndefined();
    await h.advanceClock(120_000);
    const evicted = await h.waitForPod(
      'victim',
      (p) => !!p.metadata?.deletionTimestamp,
      'Terminating',
    );
    expect(condition(evicted, 'DisruptionTarget')).toEqual(
      expect.objectContaining({
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
      }),
    );
    const marking = (await h.events('victim', { reason: 'TaintManagerEviction' })).find((e) =>
      e.message.startsWith('Marking'),
    );
    expect(marking?.message).toBe('Marking for deletion Pod default/victim');
    // No kubelet finishes it: it stays Terminating.
    expect(await h.k(['get', 'pod', 'victim'])).toMatch(/victim\s+\S+\s+Terminating/);
  });
});

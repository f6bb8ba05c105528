import { ClusterHarness, condition, isRunningAndReady, waitFor } from './cluster-harness';

// Scenarios C4 (pod CIDR allocation, exhaustion) and C19 (terminated instance → node deleted →
// PodGC, CIDR released) of cluster-simulation.md §8, on a cluster whose pod range holds two
// node blocks (10.244.0.0/23, /24 per node).
jest.setTimeout(300_000);

describe('node IPAM and PodGC (C4, C19)', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start({ workers: 2, up: { clusterCidr: '10.244.0.0/23' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('C4: nodes get distinct /24s in allocation order; an exhausted range records CIDRNotAvailable', async () => {
    const columns = await h.k([
      'get',
      'nodes',
      '-o',
      'custom-columns=N:.metadata.name,C:.spec.podCIDR',
      '--sort-by=.metadata.creationTimestamp',
    ]);
    expect(columns).toMatch(/worker-1\s+10\.244\.[01]\.0\/24/);
    expect(columns).toMatch(/worker-2\s+10\.244\.[01]\.0\/24/);
    const cidrs = [await h.node('worker-1'), await h.node('worker-2')].map((n) => n.spec?.podCIDR);
    expect(new Set(cidrs).size).toBe(2);
    expect((await h.node('worker-1')).spec?.podCIDRs).toEqual([cidrs[0]]);

    await h.addWorker('worker-3', 'nimbus-1c');
    const event = await waitFor(
      async () => (await h.events('worker-3', { reason: 'CIDRNotAvailable' }))[0],
      { timeoutMs: 20_000, message: 'CIDRNotAvailable on worker-3' },
    );
    expect(event.message).toBe('Node worker-3 status is now: CIDRNotAvailable');
    expect(event.source?.component).toBe('cidrAllocator');
    const starved = await h.node('worker-3');
    expect(starved.spec?.podCIDR).toBeUndefined();
    // Without a pod CIDR the network plugin is not ready: the kubelet reports NotReady.
    expect(condition(starved, 'Ready')).toEqual(
      expect.objectContaining({ status: 'False', reason: 'KubeletNotReady' }),
    );
  });

  it('C19: a terminated instance loses its node; PodGC deletes its pods; its CIDR goes to the next node', async () => {
    await h.apply(h.podManifest('orphan', 'worker-2'));
    await h.waitForPod('orphan', isRunningAndReady, 'Running');
    const released = (await h.node('worker-2')).spec?.podCIDR;
    const seen = await h.watchPodUntilDeleted('orphan', async () => {
      await h.terminateInstance('worker-2');
      // The kubelet is gone: after the grace period the node is Unknown, and the CCM, finding the
      // instance terminated, deletes it.
      await h.advanceClock(60_000);
      const deleting = await waitFor(
        async () => (await h.events('worker-2', { reason: 'DeletingNode' }))[0],
        { timeoutMs: 30_000, message: 'the CCM deletes worker-2' },
      );
      expect(deleting.message).toBe(
        'Deleting node worker-2 because it does not exist in the cloud provider',
      );
      await waitFor(async () => (await h.kubectl(['get', 'node', 'worker-2'])).code !== 0, {
        message: 'node gone',
      });
      await waitFor(async () => (await h.events('worker-2', { reason: 'RemovingNode' }))[0], {
        timeoutMs: 20_000,
        message: 'RemovingNode from node-controller',
      });
      // PodGC: 40 s of quarantine (on the cloud's clock), then a forced delete.
      expect((await h.kubectl(['get', 'pod', 'orphan'])).code).toBe(0);
      await h.advanceClock(60_000);
      await h.waitForPodGone('orphan', 40_000);
    });
    const marked = seen.find((e) => condition(e.pod, 'DisruptionTarget'));
    expect(marked?.pod.status?.phase).toBe('Failed');
    expect(condition(marked!.pod, 'DisruptionTarget')).toEqual(
      expect.objectContaining({
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      }),
    );
    // The released block goes to the next node that asks (worker-3 asks again only when its
    // Node changes, e.g. at the kubelet's next 5-minute status report, as upstream).
    await h.addWorker('worker-4', 'nimbus-1a');
    const node = await h.waitForNode(
      'worker-4',
      (n) => n.spec?.podCIDR === released && condition(n, 'Ready')?.status === 'True',
      `pod CIDR ${released} and Ready`,
    );
    expect(node.spec?.podCIDRs).toEqual([released]);
  });
});

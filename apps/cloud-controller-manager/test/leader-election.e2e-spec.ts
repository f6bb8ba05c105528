import { formatMicroTime } from '@app/controller-runtime';
import { CoordinationV1Api } from '@app/kube-client';
import type { RunningCloudControllerManager } from '../src';
import { CcmHarness, UNINITIALIZED_TAINT, hasTaint, waitFor } from './harness';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

// Short for a quick failover, yet a renew deadline a busy CI machine cannot miss by accident (the
// whole suite runs in one process there): an unplanned loss would make the leader exit 1.
const ELECTION = {
  leaderElect: 'true',
  leaderElectLeaseDuration: '6s',
  leaderElectRenewDeadline: '4s',
  leaderElectRetryPeriod: '500ms',
  controllers: 'cloud-node',
};

/** How many items the replica's node controller queue took (0 when it never ran). */
async function nodeQueueAdds(ccm: RunningCloudControllerManager): Promise<number> {
  const metric = await ccm.registry.getSingleMetric('workqueue_adds_total')?.get();
  return (metric?.values ?? [])
    .filter((v) => v.labels.name === 'Nodes')
    .reduce((sum, v) => sum + v.value, 0);
}

describe('leader election (e2e)', () => {
  let h: CcmHarness;

  beforeAll(async () => {
    h = await CcmHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const initialised = (name: string) =>
    waitFor(async () => !hasTaint(await h.getNode(name), UNINITIALIZED_TAINT), {
      message: `${name} initialised`,
    });

  it('S19: exactly one of two replicas leads and acts; stopping it hands over; a replica that loses the lease exits 1', async () => {
    const replicas = [await h.startCcm(ELECTION), await h.startCcm(ELECTION)];
    const leader = await waitFor(() => replicas.find((r) => r.isLeader()), {
      message: 'a leader',
    });
    const follower = replicas.find((r) => r !== leader)!;
    expect(follower.isLeader()).toBe(false);
    const leases = h.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = () =>
      leases.readNamespacedLease({ namespace: 'kube-system', name: 'cloud-controller-manager' });
    expect((await lease()).spec?.holderIdentity).toBe(leader.identity);

    await h.createInstance('s19-a');
    await h.createNode('s19-a');
    await initialised('s19-a');
    expect(await nodeQueueAdds(leader)).toBeGreaterThan(0);
    expect(await nodeQueueAdds(follower)).toBe(0);
    expect(follower.isLeader()).toBe(false);

    // Kill the leader: the follower takes over once the lease expires.
    await h.stopCcm(leader);
    await expect(leader.exited).resolves.toBe(0);
    await waitFor(() => follower.isLeader(), { timeoutMs: 30_000, message: 'handover' });
    expect((await lease()).spec?.holderIdentity).toBe(follower.identity);
    await h.createInstance('s19-b');
    await h.createNode('s19-b');
    await initialised('s19-b');

    // Someone else takes the lease: the replica cannot renew and exits non-zero, like upstream.
    // The replica renews meanwhile: a 409 Conflict means "read again and retry", as any writer does.
    await waitFor(
      async () => {
        const current = await lease();
        return leases
          .replaceNamespacedLease({
            namespace: 'kube-system',
            name: 'cloud-controller-manager',
            body: {
              ...current,
              spec: {
                ...current.spec,
                holderIdentity: 'intruder_0',
                leaseDurationSeconds: 60,
                renewTime: formatMicroTime(Date.now()) as never,
              },
            },
          })
          .then(
            () => true,
            (err: { code?: number }) => {
              if (err.code !== 409) {
                throw err;
              }
              return false;
            },
          );
      },
      { message: 'the intruder to take the lease' },
    );
    await expect(follower.exited).resolves.toBe(1);
    expect(follower.isLeader()).toBe(false);
  });
});

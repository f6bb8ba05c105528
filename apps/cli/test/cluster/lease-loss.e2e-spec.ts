import { ClusterHarness, waitFor } from './cluster-harness';

// A control-plane component that loses its Lease exits, as upstream's does, and `nimbus up`
// starts it again (the kubelet's part for a static pod): the new instance must take the Lease and
// run its controllers — twice in a row (the 1,000-node bench once stalled on the second restart).
jest.setTimeout(240_000);

const LEASE = ['lease', '-n', 'kube-system', 'kube-controller-manager'];
/** Generous: the machine is shared (a setup wait, not a timing check). */
const WAIT = { timeoutMs: 90_000, intervalMs: 200 };

interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
}

describe('a kube-controller-manager that loses its lease comes back and leads again', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start({ workers: 0 });
  });

  afterAll(async () => {
    await h?.close();
  });

  const lease = async () => (await h.kJson<{ spec: LeaseSpec }>(['get', ...LEASE])).spec;
  const setLease = (spec: object) =>
    h.k(['patch', ...LEASE, '--type', 'merge', '-p', JSON.stringify({ spec })]);

  async function loseAndComeBack(round: number): Promise<void> {
    const lost = h.nimbus.controllerManager;
    await waitFor(() => lost.isLeader(), WAIT);
    const before = await lease();
    expect(before.holderIdentity).toBe(lost.identity);

    // Another candidate holds the Lease: every renewal fails until the renew deadline.
    await setLease({
      holderIdentity: 'intruder',
      leaseDurationSeconds: 15,
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    });
    await expect(lost.exited).resolves.toBe(1);
    expect(lost.isLeader()).toBe(false);
    // The intruder steps down as upstream's ReleaseOnCancel does, so no one waits for expiry.
    await setLease({ holderIdentity: '', leaseDurationSeconds: 1 });

    const next = await waitFor(() => {
      const current = h.nimbus.controllerManager;
      return current !== lost && current.isLeader() ? current : undefined;
    }, WAIT);
    const after = await lease();
    expect(after.holderIdentity).toBe(next.identity);
    expect(after.leaseTransitions).toBeGreaterThan(before.leaseTransitions ?? 0);

    // Its controllers run: a new namespace gets its default ServiceAccount.
    const namespace = `after-restart-${round}`;
    await h.k(['create', 'namespace', namespace]);
    await waitFor(
      () => h.k(['get', 'serviceaccount', 'default', '-n', namespace]).catch(() => undefined),
      WAIT,
    );
  }

  it('after the first loss', async () => {
    await loseAndComeBack(1);
  });

  it('after a second loss', async () => {
    await loseAndComeBack(2);
  });
});

import { CcmHarness, waitFor } from './harness';
import {
  createLbService,
  deleteService,
  getService,
  serviceEvents,
  ingressIPs,
  waitForEvent,
  waitForIngress,
} from './service-e2e';

jest.setTimeout(60_000);

// Failure injection without cloud admin faults: a load-balancer quota of 1 makes the second
// Service's EnsureLoadBalancer fail (QUOTA_EXCEEDED) until the first one's LB is deleted.
let h: CcmHarness;
beforeAll(async () => {
  h = await CcmHarness.start({ quotas: 'loadBalancers=1' });
  await h.createInstance('sf-n1');
  await h.createNode('sf-n1', { tainted: false, ready: 'True' });
  await h.startCcm({ controllers: 'service' });
});
afterAll(() => h.close());

it('S6: a cloud LB error repeats SyncLoadBalancerFailed with growing intervals; success after it clears', async () => {
  await createLbService(h, 's6-first');
  await waitForIngress(h, 's6-first');
  await createLbService(h, 's6');

  const first = await waitForEvent(h, 's6', 'SyncLoadBalancerFailed');
  expect(first.type).toBe('Warning');
  expect(first.message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: .*quota/i,
  );
  // The retry comes from the 5 s → 300 s per-item backoff. Each message carries the cloud's
  // request id, so every failure is its own Event (no count aggregation).
  const failures = await waitFor(
    async () => {
      const events = await serviceEvents(h, 's6', 'SyncLoadBalancerFailed');
      return events.reduce((n, e) => n + (e.count ?? 1), 0) >= 2 && events;
    },
    { timeoutMs: 15_000, message: 'a second SyncLoadBalancerFailed' },
  );
  const times = failures.map((e) => new Date(e.lastTimestamp!).getTime()).sort((a, b) => a - b);
  expect(times[1] - times[0]).toBeGreaterThanOrEqual(4_000); // not a hot loop: 5 s at second precision
  expect(ingressIPs(await getService(h, 's6'))).toEqual([]);

  // The fault clears: the next retry (10 s after the second failure) succeeds.
  await deleteService(h, 's6-first');
  await waitFor(async () => (await getService(h, 's6-first')) === undefined, {
    message: 's6-first gone',
  });
  const svc = await waitForIngress(h, 's6', 20_000);
  expect(ingressIPs(svc)).toHaveLength(1);
  await waitForEvent(h, 's6', 'EnsuredLoadBalancer');
});

import { CcmHarness, waitFor } from './harness';
import {
  createLbService,
  deleteService,
  getService,
  injectCloudFault,
  serviceEvents,
  ingressIPs,
  waitForEvent,
  waitForIngress,
} from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

// S6 uses the cloud's fault injection; 'S6 (quota)' the deterministic variant without it: a
// load-balancer quota of 1 makes the second Service fail (QUOTA_EXCEEDED) until the first is deleted.
let h: CcmHarness;
beforeAll(async () => {
  h = await CcmHarness.start({ quotas: 'loadBalancers=1' });
  await h.createInstance('sf-n1');
  await h.createNode('sf-n1', { tainted: false, ready: 'True' });
  await h.startCcm({ controllers: 'service' });
});
afterAll(() => h.close());

it('S6: an injected cloud LB error repeats SyncLoadBalancerFailed with growing intervals; success after the fault clears', async () => {
  const clear = await injectCloudFault(h, {
    description: 'S6: creating the load balancer of Service s6f fails',
    match: { operation: 'loadBalancers.create', labels: { 'kubernetes.io/service-name': 's6f' } },
    // 403 is not retried by the cloud client, so each sync fails at once.
    effect: { type: 'error', status: 403, message: 'injected EnsureLoadBalancer failure' },
  });
  await createLbService(h, 's6f');
  const failures = await waitFor(
    async () => {
      const events = await serviceEvents(h, 's6f', 'SyncLoadBalancerFailed');
      return events.reduce((n, e) => n + (e.count ?? 1), 0) >= 2 && events;
    },
    { timeoutMs: 15_000, message: 'a second SyncLoadBalancerFailed' },
  );
  expect(failures[0].type).toBe('Warning');
  expect(failures[0].message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: .*injected EnsureLoadBalancer failure/,
  );
  const times = failures
    .flatMap((e) => [e.firstTimestamp, e.lastTimestamp])
    .map((t) => new Date(t!).getTime())
    .sort((a, b) => a - b);
  expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(4_000); // 5 s backoff, not a hot loop
  expect(ingressIPs(await getService(h, 's6f'))).toEqual([]);

  await clear();
  await waitForIngress(h, 's6f', 20_000);
  await waitForEvent(h, 's6f', 'EnsuredLoadBalancer');
  // Free the quota of one LB for the variant below.
  await deleteService(h, 's6f');
  await waitFor(async () => (await getService(h, 's6f')) === undefined, { message: 's6f gone' });
});

it('S6 (quota): a cloud LB error repeats SyncLoadBalancerFailed with growing intervals; success after it clears', async () => {
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

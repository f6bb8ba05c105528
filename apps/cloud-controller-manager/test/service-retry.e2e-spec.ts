import { NimbusCloudProvider } from '@app/cloud-provider';
import { CLOUD_TOKEN, CcmHarness } from './harness';
import { getService, serviceEvents, createLbService, waitForIngress } from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

// Asynchronous provisioning: cloud transitions take 3 s, and the provider answers
// RetryError(1 s) while the LB is provisioning (1 s instead of the reference's 10 s, to keep the
// suite fast; the unit tests check the exact requeue delay with a manual clock).
const RETRY_AFTER_MS = 1_000;
let h: CcmHarness;
beforeAll(async () => {
  h = await CcmHarness.start({ transitionMs: 3_000 });
  await h.createNode('sr-n1', { tainted: false, ready: 'True' });
  const cloud = NimbusCloudProvider.create(
    { baseUrl: h.cloudApi.url, token: CLOUD_TOKEN },
    { clusterName: 'kubernetes', loadBalancerRetryAfterMs: RETRY_AFTER_MS },
  );
  await h.startCcm({ controllers: 'service' }, { cloud });
});
afterAll(() => h.close());

it('S7: RetryError requeues after its own delay (not the 5 s backoff) until the LB is active', async () => {
  await createLbService(h, 's7');
  const svc = await waitForIngress(h, 's7', 20_000);

  const [failed] = await serviceEvents(h, 's7', 'SyncLoadBalancerFailed');
  expect(failed.message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: load balancer \S+ is provisioning$/,
  );
  // 3 s of provisioning: ~3 retries at 1 s; exponential backoff (5 s, 10 s) would have needed
  // 5 s for a single retry and never recorded more than one failure before success.
  expect(failed.count).toBeGreaterThanOrEqual(2);
  expect(svc.status?.loadBalancer?.ingress).toHaveLength(1);
  expect((await serviceEvents(h, 's7', 'EnsuredLoadBalancer'))[0]?.count).toBe(1);
  expect((await getService(h, 's7'))?.metadata?.finalizers).toContain(
    'service.kubernetes.io/load-balancer-cleanup',
  );
});

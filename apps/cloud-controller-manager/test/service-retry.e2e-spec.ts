import { AdjustableClock } from '@app/common';
import { ManualScheduler } from '@app/controller-runtime';
import { CcmHarness, RecordingLogger, pumpUntil, waitFor } from './harness';
import { getService, serviceEvents, createLbService, waitForIngress } from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

// Asynchronous provisioning, driven by two clocks the test holds: the cloud's (frozen, so the load
// balancer stays `provisioning` until the test advances it) and the CCM's (a ManualScheduler). The
// provider answers RetryError(3 s) while the LB provisions; the controller must requeue after
// exactly that delay, not after the 5 s error backoff.
const RETRY_AFTER_MS = 3_000;
let h: CcmHarness;
const cloudClock = new AdjustableClock();
const scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
const logger = new RecordingLogger();

beforeAll(async () => {
  cloudClock.freeze();
  h = await CcmHarness.start({ transitionMs: 30_000 }, { cloudClock });
  await h.createNode('sr-n1', { tainted: false, ready: 'True' });
  await h.startCcm({ controllers: 'service' }, { scheduler, logger });
  await pumpUntil(
    scheduler,
    () => logger.has('Started controller', { controller: 'service-lb-controller' }),
    { message: 'the service controller to start' },
  );
  await scheduler.advance(1000 - (scheduler.now() % 1000));
});
afterAll(() => h.close());

const provisioningFailures = async () => {
  const [failed] = await serviceEvents(h, 's7', 'SyncLoadBalancerFailed');
  return failed;
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

it('S7: RetryError requeues after its own delay (not the 5 s backoff) until the LB is active', async () => {
  const t0 = scheduler.now();
  await createLbService(h, 's7');
  const first = await waitFor(provisioningFailures, { message: 'the first RetryError' });
  expect(first.message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: load balancer \S+ is provisioning$/,
  );
  expect(first.count ?? 1).toBe(1);
  expect(new Date(first.lastTimestamp!).getTime()).toBe(t0);

  await scheduler.advance(RETRY_AFTER_MS - 1);
  await settle();
  expect((await provisioningFailures())?.count ?? 1).toBe(1);
  await scheduler.advance(1);
  // Still provisioning (the cloud's clock has not moved): the same event, counted again.
  const second = await waitFor(
    async () => {
      const e = await provisioningFailures();
      return (e?.count ?? 1) >= 2 && e;
    },
    { message: 'the second RetryError' },
  );
  expect(new Date(second.lastTimestamp!).getTime()).toBe(t0 + RETRY_AFTER_MS);

  // The cloud finishes provisioning; the next requeue (3 s later) ensures it.
  cloudClock.advance(30_000);
  await scheduler.advance(RETRY_AFTER_MS);
  const svc = await waitForIngress(h, 's7', 20_000);
  expect(svc.status?.loadBalancer?.ingress).toHaveLength(1);
  expect((await provisioningFailures())?.count).toBe(2);
  expect((await serviceEvents(h, 's7', 'EnsuredLoadBalancer'))[0]?.count).toBe(1);
  expect((await getService(h, 's7'))?.metadata?.finalizers).toContain(
    'service.kubernetes.io/load-balancer-cleanup',
  );
});

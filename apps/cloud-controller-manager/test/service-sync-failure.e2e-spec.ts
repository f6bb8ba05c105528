import { ManualScheduler } from '@app/controller-runtime';
import { CLOUD_ADMIN_TOKEN, CcmHarness, RecordingLogger, pumpUntil, waitFor } from './harness';
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

// S6 against the real stack, with the CCM's time driven by a ManualScheduler: the retries after a
// failure come exactly 5 s, then 10 s later (upstream's 5 s → 300 s per-item backoff) and never
// earlier, whatever the machine's speed. 'S6 (quota)' is the variant without fault rules (a
// load-balancer quota of 1 makes the second Service fail until the first is deleted).
let h: CcmHarness;
const scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
const logger = new RecordingLogger();

beforeAll(async () => {
  h = await CcmHarness.start({ quotas: 'loadBalancers=1' });
  await h.createInstance('sf-n1');
  await h.createNode('sf-n1', { tainted: false, ready: 'True' });
  await h.startCcm({ controllers: 'service' }, { scheduler, logger });
  await pumpUntil(
    scheduler,
    () => logger.has('Started controller', { controller: 'service-lb-controller' }),
    { message: 'the service controller to start' },
  );
  // Event timestamps have whole seconds: start each scenario on one.
  await scheduler.advance(1000 - (scheduler.now() % 1000));
});
afterAll(() => h.close());

const failureTimes = async (name: string) =>
  (await serviceEvents(h, name, 'SyncLoadBalancerFailed'))
    .map((e) => new Date(e.lastTimestamp!).getTime())
    .sort((a, b) => a - b);

/** Waits (for real) until `n` SyncLoadBalancerFailed events exist for `name`. */
const failures = (name: string, n: number) =>
  waitFor(async () => ((await failureTimes(name)).length >= n ? failureTimes(name) : false), {
    timeoutMs: 15_000,
    message: `${n} SyncLoadBalancerFailed on ${name}`,
  });

/** Lets in-flight work (real I/O) settle without moving the CCM's clock. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

it('S6: an injected cloud LB error is retried after exactly 5 s, then 10 s; success after the fault clears', async () => {
  const clear = await injectCloudFault(h, {
    description: 'S6: creating the load balancer of Service s6f fails',
    match: { operation: 'loadBalancers.create', labels: { 'kubernetes.io/service-name': 's6f' } },
    // 403 is not retried by the cloud client, so each sync fails at once.
    effect: { type: 'error', status: 403, message: 'injected EnsureLoadBalancer failure' },
  });
  const t0 = scheduler.now();
  await createLbService(h, 's6f');
  expect(await failures('s6f', 1)).toEqual([t0]);
  const [first] = await serviceEvents(h, 's6f', 'SyncLoadBalancerFailed');
  expect(first.type).toBe('Warning');
  expect(first.message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: .*injected EnsureLoadBalancer failure/,
  );

  // Not a hot loop: nothing happens until the 5 s backoff is over.
  await scheduler.advance(4_999);
  await settle();
  expect(await failureTimes('s6f')).toEqual([t0]);
  await scheduler.advance(1);
  expect(await failures('s6f', 2)).toEqual([t0, t0 + 5_000]);
  // The next one doubles.
  await scheduler.advance(9_999);
  await settle();
  expect((await failureTimes('s6f')).length).toBe(2);
  await scheduler.advance(1);
  expect(await failures('s6f', 3)).toEqual([t0, t0 + 5_000, t0 + 15_000]);
  expect(ingressIPs(await getService(h, 's6f'))).toEqual([]);

  await clear();
  await scheduler.advance(20_000);
  await waitForIngress(h, 's6f', 20_000);
  await waitForEvent(h, 's6f', 'EnsuredLoadBalancer');
  // Free the quota of one LB for the variant below.
  await deleteService(h, 's6f');
  await waitFor(async () => (await getService(h, 's6f')) === undefined, { message: 's6f gone' });
  await expectNoLoadBalancerLeft();
});

it('S6 (quota): a cloud LB error is retried with growing intervals; success after it clears', async () => {
  await createLbService(h, 's6-first');
  await waitForIngress(h, 's6-first');
  await scheduler.advance(1000 - (scheduler.now() % 1000));
  const t0 = scheduler.now();
  await createLbService(h, 's6');
  expect(await failures('s6', 1)).toEqual([t0]);
  const [first] = await serviceEvents(h, 's6', 'SyncLoadBalancerFailed');
  expect(first.type).toBe('Warning');
  expect(first.message).toMatch(
    /^Error syncing load balancer: failed to ensure load balancer: .*quota/i,
  );
  await scheduler.advance(4_999);
  await settle();
  expect(await failureTimes('s6')).toEqual([t0]);
  await scheduler.advance(1);
  // Each message carries the cloud's request id, so every failure is its own Event.
  expect(await failures('s6', 2)).toEqual([t0, t0 + 5_000]);
  expect(ingressIPs(await getService(h, 's6'))).toEqual([]);

  // The quota frees up: the next retry (10 s after the second failure) succeeds.
  await deleteService(h, 's6-first');
  await waitFor(async () => (await getService(h, 's6-first')) === undefined, {
    message: 's6-first gone',
  });
  await scheduler.advance(10_000);
  const svc = await waitForIngress(h, 's6', 20_000);
  expect(ingressIPs(svc)).toHaveLength(1);
  await waitForEvent(h, 's6', 'EnsuredLoadBalancer');
});

/** Only the load balancers of Services that still exist are left in the cloud. */
async function expectNoLoadBalancerLeft(): Promise<void> {
  const res = await fetch(`${h.cloudApi.url}/v1/load-balancers`, {
    headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}` },
  });
  const { items } = (await res.json()) as { items: { name: string }[] };
  expect(items).toEqual([]);
}

import { AdjustableClock } from '@app/common';
import { ManualScheduler } from '@app/controller-runtime';
import type { V1Service } from '@app/kube-client';
import { CcmHarness, RecordingLogger, pumpUntil, waitFor } from './harness';
import { createLbService, getService, ingressIPs, patchService } from './service-e2e';

jest.setTimeout(120_000);

// KEP-4631's LoadBalancerServing / LoadBalancerProvisioning Service conditions behind the feature
// gate the KEP proposes, on the real api-server (status subresource, strategic merge by `type`)
// and the real cloud: the cloud's clock is frozen, so a load balancer stays `provisioning` until
// the test advances it; the CCM's retries run on a ManualScheduler (RetryError after 3 s).
let h: CcmHarness;
const cloudClock = new AdjustableClock();
const scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
const logger = new RecordingLogger();

beforeAll(async () => {
  cloudClock.freeze();
  h = await CcmHarness.start({ transitionMs: 30_000 }, { cloudClock });
  await h.createNode('kep-n1', { tainted: false, ready: 'True' });
  await h.startCcm(
    { controllers: 'service', featureGates: 'LoadBalancerStatusImprovements=true' },
    { scheduler, logger },
  );
  await pumpUntil(
    scheduler,
    () => logger.has('Started controller', { controller: 'service-lb-controller' }),
    { message: 'the service controller to start' },
  );
});
afterAll(() => h.close());

const conditions = (svc: V1Service | undefined) =>
  Object.fromEntries(
    (svc?.status?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}: ${c.message}`]),
  );
const waitForConditions = (name: string, match: (c: Record<string, string>) => boolean) =>
  waitFor(
    async () => {
      const svc = await getService(h, name);
      return match(conditions(svc)) && svc;
    },
    { message: `conditions of ${name}` },
  );

it('reports Provisioning while the cloud builds the load balancer, then Serving with the ingress', async () => {
  await createLbService(h, 'kep');
  const provisioning = await waitForConditions(
    'kep',
    (c) => c.LoadBalancerProvisioning !== undefined,
  );
  expect(conditions(provisioning)).toEqual({
    LoadBalancerProvisioning: 'True/Provisioning: Ensuring load balancer',
    LoadBalancerServing: 'False/Provisioning: Load balancer is being provisioned',
  });
  expect(ingressIPs(provisioning)).toEqual([]);

  cloudClock.advance(30_000);
  await scheduler.advance(3_000);
  const serving = await waitForConditions('kep', (c) =>
    (c.LoadBalancerServing ?? '').startsWith('True'),
  );
  expect(conditions(serving)).toEqual({
    LoadBalancerProvisioning: 'False/Complete: Ensured load balancer',
    LoadBalancerServing: 'True/Serving: Load balancer is serving',
  });
  expect(ingressIPs(serving)).toHaveLength(1);
  const [condition] = serving.status?.conditions ?? [];
  expect(condition.observedGeneration).toBe(serving.metadata?.generation);
  expect(new Date(condition.lastTransitionTime).getTime() % 1000).toBe(0);
});

it('a Service the provider cannot implement is Unsupported; leaving LoadBalancer drops the conditions', async () => {
  await createLbService(h, 'kep-sctp', {
    ports: [{ name: 'sctp', protocol: 'SCTP', port: 9000, targetPort: 9000 }],
  });
  const refused = await waitForConditions('kep-sctp', (c) =>
    (c.LoadBalancerServing ?? '').includes('Unsupported'),
  );
  expect(conditions(refused).LoadBalancerServing).toMatch(
    /^False\/Unsupported: failed to ensure load balancer: service default\/kep-sctp: port 9000: protocol SCTP is not supported by Nimbus load balancers \(TCP and UDP are\)$/,
  );
  expect(conditions(refused).LoadBalancerProvisioning).toMatch(/^False\/Complete: /);

  await patchService(h, 'kep-sctp', { spec: { type: 'ClusterIP' } });
  await scheduler.advance(0);
  const plain = await waitForConditions('kep-sctp', (c) => Object.keys(c).length === 0);
  expect(plain.status?.conditions ?? []).toEqual([]);
});

import type { RunningCloudControllerManager } from '../src';
import { CcmHarness, holdsFor, waitFor } from './harness';
import {
  FINALIZER,
  cloudLb,
  createLbService,
  deleteService,
  eventReasons,
  getService,
  ingressIPs,
  patchService,
  recordServiceVersions,
  serviceEvents,
  waitForEvent,
  waitForIngress,
} from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

let h: CcmHarness;
let ccm: RunningCloudControllerManager;
const instanceIds: string[] = [];

beforeAll(async () => {
  h = await CcmHarness.start();
  for (const name of ['lc-n1', 'lc-n2']) {
    instanceIds.push((await h.createInstance(name)).id);
    await h.createNode(name, { tainted: false, ready: 'True' });
  }
  ccm = await h.startCcm({ controllers: 'service' });
});
afterAll(() => h.close());

const ensureCount = async (name: string) =>
  (await serviceEvents(h, name, 'EnsuredLoadBalancer'))[0]?.count ?? 0;

describe('service controller', () => {
  it('S1: adds the finalizer before the ingress, records Ensuring/Ensured, backends = nodes on the nodePort', async () => {
    const watch = await recordServiceVersions(h, 's1');
    try {
      await createLbService(h, 's1');
      const svc = await waitForIngress(h, 's1');
      // The watch may lag behind the read above: wait for it to deliver the version with ingress.
      const firstWithIngress = await waitFor(
        () => {
          const i = watch.versions.findIndex((v) => ingressIPs(v).length > 0);
          return i >= 0 && i;
        },
        { message: 'a watched version with ingress' },
      );
      const firstWithFinalizer = watch.versions.findIndex((v) =>
        (v.metadata?.finalizers ?? []).includes(FINALIZER),
      );
      expect(firstWithFinalizer).toBeGreaterThan(0);
      expect(firstWithFinalizer).toBeLessThan(firstWithIngress);
      expect(svc.metadata?.finalizers).toContain(FINALIZER);
      expect(svc.status?.loadBalancer?.ingress?.[0]).toMatchObject({ ipMode: 'VIP' });

      await waitForEvent(h, 's1', 'EnsuredLoadBalancer');
      expect(await eventReasons(h, 's1')).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
      const lb = await cloudLb(h, svc);
      expect(lb?.state).toBe('active');
      expect(lb?.publicIps.map((p) => p.ip)).toEqual(ingressIPs(svc));
      expect(lb?.backends.map((b) => b.instanceId).sort()).toEqual([...instanceIds].sort());
      expect(lb?.listeners).toEqual([
        expect.objectContaining({
          protocol: 'TCP',
          port: 80,
          targetPort: svc.spec?.ports?.[0].nodePort,
        }),
      ]);
    } finally {
      watch.stop();
    }
  });

  it('S2: deleting the Service deletes the LB, then the Service goes', async () => {
    const created = await createLbService(h, 's2');
    await waitForIngress(h, 's2');
    await deleteService(h, 's2');
    await waitFor(async () => (await getService(h, 's2')) === undefined, { message: 's2 gone' });

    expect(await eventReasons(h, 's2')).toEqual([
      'EnsuringLoadBalancer',
      'EnsuredLoadBalancer',
      'DeletingLoadBalancer',
      'DeletedLoadBalancer',
    ]);
    const lb = await cloudLb(h, created);
    expect(lb === undefined || lb.state === 'deleting').toBe(true);
    await waitFor(async () => (await cloudLb(h, created)) === undefined, { message: 'LB gone' });
  });

  it('S3: LoadBalancer → ClusterIP deletes the LB and clears the status; back → recreated', async () => {
    const created = await createLbService(h, 's3');
    await waitForIngress(h, 's3');
    await patchService(h, 's3', { spec: { type: 'ClusterIP' } });
    const cleared = await waitFor(
      async () => {
        const svc = await getService(h, 's3');
        return (
          ingressIPs(svc).length === 0 &&
          !(svc?.metadata?.finalizers ?? []).includes(FINALIZER) &&
          svc
        );
      },
      { message: 'status cleared and finalizer removed' },
    );
    expect(cleared.spec?.type).toBe('ClusterIP');
    await waitForEvent(h, 's3', 'DeletedLoadBalancer');
    await waitFor(async () => (await cloudLb(h, created)) === undefined, { message: 'LB gone' });

    await patchService(h, 's3', { spec: { type: 'LoadBalancer' } });
    const back = await waitForIngress(h, 's3');
    expect(back.metadata?.finalizers).toContain(FINALIZER);
    expect((await cloudLb(h, back))?.state).toBe('active');
  });

  it('S4: a Service with loadBalancerClass is left alone', async () => {
    await createLbService(h, 's4', { loadBalancerClass: 'other.io/lb' });
    // A marker service created afterwards proves the controller has processed what came before.
    await createLbService(h, 's4-marker');
    await waitForIngress(h, 's4-marker');
    await holdsFor(
      async () => {
        const svc = await getService(h, 's4');
        return (
          (svc?.metadata?.finalizers ?? []).length === 0 &&
          ingressIPs(svc).length === 0 &&
          (await serviceEvents(h, 's4')).length === 0
        );
      },
      1_000,
      'no finalizer, ingress or events on s4',
    );
    expect(await cloudLb(h, (await getService(h, 's4'))!)).toBeUndefined();
  });

  it('S5: spec and annotation changes re-ensure and reach the cloud; label/selector changes do not', async () => {
    const created = await createLbService(h, 's5');
    await waitForIngress(h, 's5');
    await waitForEvent(h, 's5', 'EnsuredLoadBalancer');

    const changes: [
      string,
      object,
      (lb: NonNullable<Awaited<ReturnType<typeof cloudLb>>>) => boolean,
    ][] = [
      [
        'port',
        { spec: { ports: [{ name: 'http', protocol: 'TCP', port: 81, targetPort: 8080 }] } },
        (lb) => lb.listeners[0].port === 81,
      ],
      [
        'sourceRanges',
        { spec: { loadBalancerSourceRanges: ['10.0.0.0/8'] } },
        (lb) => lb.allowedSourceRanges.includes('10.0.0.0/8'),
      ],
      [
        'annotation',
        {
          metadata: {
            annotations: {
              'service.beta.kubernetes.io/nimbus-load-balancer-algorithm': 'least_connections',
            },
          },
        },
        (lb) => lb.algorithm === 'least_connections',
      ],
      [
        'sessionAffinity',
        { spec: { sessionAffinity: 'ClientIP' } },
        (lb) => lb.sessionAffinity.type === 'client_ip',
      ],
      [
        'externalTrafficPolicy',
        { spec: { externalTrafficPolicy: 'Local', healthCheckNodePort: 32100 } },
        (lb) => lb.healthCheck.port === 32100,
      ],
    ];
    let expected = 1;
    for (const [what, patch, reflected] of changes) {
      await patchService(h, 's5', patch);
      expected++;
      await waitFor(async () => (await ensureCount('s5')) >= expected, {
        message: `Ensured after ${what}`,
      });
      await waitFor(
        async () => {
          const lb = await cloudLb(h, created);
          return lb !== undefined && reflected(lb);
        },
        { message: `cloud LB reflects ${what}` },
      );
    }
    await patchService(h, 's5', {
      spec: {
        ports: [{ name: 'http', protocol: 'TCP', port: 81, targetPort: 8080, nodePort: 31555 }],
      },
    });
    expected++;
    await waitFor(async () => (await cloudLb(h, created))?.listeners[0].targetPort === 31555, {
      message: 'nodePort reflected',
    });

    const before = await ensureCount('s5');
    const lbBefore = await cloudLb(h, created);
    await patchService(h, 's5', {
      metadata: { labels: { team: 'x' } },
      spec: { selector: { app: 'other' } },
    });
    // Marker: a later change that does trigger proves the label/selector change was seen and skipped.
    await patchService(h, 's5', { spec: { loadBalancerIP: lbBefore!.publicIps[0].ip } });
    await waitFor(async () => (await ensureCount('s5')) >= before + 1, {
      message: 'Ensured after loadBalancerIP',
    });
    expect(await ensureCount('s5')).toBe(before + 1);
    // Upstream only logs what changed; the events are the Ensuring/Ensured pairs.
    expect(new Set(await eventReasons(h, 's5'))).toEqual(
      new Set(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']),
    );
  });

  it('S8: loadBalancerIP in the pool is used; outside the pool → SyncLoadBalancerFailed', async () => {
    await createLbService(h, 's8', { loadBalancerIP: '203.0.113.200' });
    const svc = await waitForIngress(h, 's8');
    expect(ingressIPs(svc)).toEqual(['203.0.113.200']);

    await createLbService(h, 's8-out', { loadBalancerIP: '192.0.2.10' });
    const failed = await waitForEvent(h, 's8-out', 'SyncLoadBalancerFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toMatch(
      /^Error syncing load balancer: failed to ensure load balancer: /,
    );
    expect(ingressIPs(await getService(h, 's8-out'))).toEqual([]);

    await createLbService(h, 's8-taken', { loadBalancerIP: '203.0.113.200' });
    await waitForEvent(h, 's8-taken', 'SyncLoadBalancerFailed');
  });

  it('S17: a dual-stack Service gets one ingress entry per family with ipMode', async () => {
    await createLbService(h, 's17', {
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
    });
    const svc = await waitForIngress(h, 's17');
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    expect(ingress).toHaveLength(2);
    expect(ingress[0].ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ingress[1].ip).toContain(':');
    expect(ingress.map((i) => i.ipMode)).toEqual(['VIP', 'VIP']);
  });

  it('S18: mixed TCP and UDP ports are both served', async () => {
    const created = await createLbService(h, 's18', {
      ports: [
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
        { name: 'dns-udp', protocol: 'UDP', port: 53, targetPort: 53 },
      ],
    });
    await waitForIngress(h, 's18');
    const lb = await cloudLb(h, created);
    expect(lb?.listeners.map((l) => l.protocol).sort()).toEqual(['TCP', 'UDP']);

    await createLbService(h, 's18-sctp', {
      ports: [{ name: 'x', protocol: 'SCTP', port: 9, targetPort: 9 }],
    });
    const failed = await waitForEvent(h, 's18-sctp', 'SyncLoadBalancerFailed');
    expect(failed.message).toContain('SCTP');
  });

  it('S15: a Service deleted while the CCM is down stays Terminating, and is cleaned up after the restart', async () => {
    const created = await createLbService(h, 's15');
    await waitForIngress(h, 's15');
    await h.stopCcm(ccm);
    await deleteService(h, 's15');
    const terminating = await getService(h, 's15');
    expect(terminating?.metadata?.deletionTimestamp).toBeDefined();
    expect((await cloudLb(h, created))?.state).toBe('active');

    ccm = await h.startCcm({ controllers: 'service' });
    await waitFor(async () => (await getService(h, 's15')) === undefined, { message: 's15 gone' });
    await waitFor(async () => (await cloudLb(h, created)) === undefined, { message: 'LB gone' });
  });

  it('S16: an LB deleted out-of-band is recreated at startup, not before', async () => {
    const created = await createLbService(h, 's16');
    await waitForIngress(h, 's16');
    const lb = (await cloudLb(h, created))!;
    await h.cloud.loadBalancers.delete(lb.id);
    await waitFor(async () => (await cloudLb(h, created)) === undefined, {
      message: 'LB deleted out-of-band',
    });
    await holdsFor(
      async () => (await cloudLb(h, created)) === undefined,
      1_500,
      'not recreated without a restart',
    );

    ccm = await h.restartCcm(ccm, { controllers: 'service' });
    await waitFor(async () => (await cloudLb(h, created))?.state === 'active', {
      message: 'LB recreated',
    });
  });
});

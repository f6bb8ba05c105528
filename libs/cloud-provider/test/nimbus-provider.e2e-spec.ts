import type { AdjustableClock } from '@app/common';
import type { InstanceDto, LoadBalancerDto } from '@app/cloud-contracts';
import { FailedPreconditionError, NimbusCloudClient } from '@app/cloud-client';
import {
  ANNOTATION_ALGORITHM,
  ANNOTATION_HEALTH_CHECK_INTERVAL,
  InstanceNotFoundError,
  InvalidServiceError,
  LABEL_CLUSTER_NAME,
  NimbusCloudProvider,
  RetryError,
  asRetryError,
  isInstanceNotFound,
  type InstancesV2,
  type LoadBalancer,
  type ProviderNode,
  type ProviderService,
  type Routes,
} from '@app/cloud-provider';
import {
  startCloudApiServer,
  type CloudApiServer,
} from '../../../apps/cloud-api/test/cloud-api-harness';

const CLUSTER = 'test-cluster';
const RETRY_AFTER_MS = 1234;

/** Longer than every default transition (1–1.5 s) of the cloud API. */
const SETTLE_MS = 2000;

describe('Nimbus cloud provider against the real cloud API (e2e)', () => {
  let api: CloudApiServer;
  let clock: AdjustableClock;
  let client: NimbusCloudClient;
  let provider: NimbusCloudProvider;
  let instances: InstancesV2;
  let lbs: LoadBalancer;
  let routes: Routes;

  beforeEach(async () => {
    api = await startCloudApiServer();
    clock = api.clock;
    client = new NimbusCloudClient({
      baseUrl: api.url,
      token: api.token,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    provider = new NimbusCloudProvider({
      client,
      clusterName: CLUSTER,
      loadBalancerRetryAfterMs: RETRY_AFTER_MS,
    });
    instances = provider.instancesV2();
    lbs = provider.loadBalancer();
    routes = provider.routes();
  });

  afterEach(async () => {
    await api.close();
  });

  /** Lets every due transition happen (the cloud settles them on the next call). */
  const settle = () => clock.advance(SETTLE_MS);

  const createInstance = async (name: string, assignPublicIp = false): Promise<InstanceDto> =>
    (
      await client.instances.create({
        name,
        zone: 'nimbus-1a',
        instanceType: 'nb.small',
        assignPublicIp,
      })
    ).instance;

  const nodeOf = (instance: InstanceDto, withProviderID = true): ProviderNode => ({
    metadata: { name: instance.name, uid: `uid-${instance.name}` },
    spec: withProviderID ? { providerID: instance.providerId } : {},
    status: { addresses: [{ type: 'InternalIP', address: instance.privateIp }] },
  });

  const expectRetry = async (promise: Promise<unknown>): Promise<RetryError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    const retry = asRetryError(error);
    if (!retry) {
      throw new Error(`expected a RetryError, got ${String(error)}`);
    }
    expect(retry.retryAfterMs).toBe(RETRY_AFTER_MS);
    return retry;
  };

  describe('InstancesV2', () => {
    it('should report metadata by node name and by providerID', async () => {
      const instance = await createInstance('node-a', true);
      settle();

      const byName = await instances.instanceMetadata({ metadata: { name: 'node-a' } });
      const byProviderID = await instances.instanceMetadata(nodeOf(instance));

      expect(byName).toEqual(byProviderID);
      expect(byName).toEqual({
        providerID: `nimbus://default/nimbus-1a/${instance.id}`,
        instanceType: 'nb.small',
        zone: 'nimbus-1a',
        region: 'nimbus-1',
        additionalLabels: {},
        nodeAddresses: [
          { type: 'InternalIP', address: instance.privateIp },
          { type: 'ExternalIP', address: instance.publicIp },
          { type: 'InternalDNS', address: instance.privateDnsName },
          { type: 'Hostname', address: 'node-a' },
        ],
      });
    });

    it('should find a node whose name differs from the instance by its InternalIP', async () => {
      const instance = await createInstance('node-b');

      const metadata = await instances.instanceMetadata({
        metadata: { name: 'kubelet-chose-this-name' },
        status: { addresses: [{ type: 'InternalIP', address: instance.privateIp }] },
      });

      expect(metadata.providerID).toBe(instance.providerId);
    });

    it('should follow the instance through stop, start and termination', async () => {
      const instance = await createInstance('node-c');
      const node = nodeOf(instance);
      const byName: ProviderNode = { metadata: { name: 'node-c' } };
      settle();
      expect(await instances.instanceExists(node)).toBe(true);
      expect(await instances.instanceShutdown(node)).toBe(false);

      await client.instances.stop(instance.id);
      expect(await instances.instanceShutdown(node)).toBe(true); // stopping
      settle();
      expect(await instances.instanceShutdown(node)).toBe(true); // stopped
      expect(await instances.instanceExists(node)).toBe(true);

      await client.instances.start(instance.id);
      settle();
      expect(await instances.instanceShutdown(node)).toBe(false);

      await client.instances.terminate(instance.id);
      expect(await instances.instanceExists(node)).toBe(true); // shutting-down
      expect(await instances.instanceShutdown(node)).toBe(true);
      settle();
      expect(await instances.instanceExists(node)).toBe(false); // terminated
      expect(await instances.instanceExists(byName)).toBe(false);
      await expect(instances.instanceMetadata(node)).rejects.toBeInstanceOf(InstanceNotFoundError);
      await expect(instances.instanceShutdown(byName)).rejects.toBeInstanceOf(
        InstanceNotFoundError,
      );
    });

    it('should answer not-exists for unknown instances, and look foreign provider IDs up by name', async () => {
      const unknown: ProviderNode = {
        metadata: { name: 'x' },
        spec: { providerID: 'nimbus://default/nimbus-1a/i-00000000000000000' },
      };
      const otherProject: ProviderNode = {
        metadata: { name: 'x' },
        spec: { providerID: 'nimbus://elsewhere/nimbus-1a/i-00000000000000000' },
      };
      const foreign: ProviderNode = {
        metadata: { name: 'x' },
        spec: { providerID: 'aws:///us-east-1a/i-0123' },
      };

      expect(await instances.instanceExists(unknown)).toBe(false);
      expect(await instances.instanceExists({ metadata: { name: 'nobody' } })).toBe(false);
      const metadataError = await instances.instanceMetadata(unknown).catch((e: unknown) => e);
      expect(isInstanceNotFound(metadataError)).toBe(true);
      await expect(instances.instanceExists(otherProject)).rejects.toThrow(/project "elsewhere"/);
      // Another provider's ID (kind://, k3s://, aws://) is not parsed: the node is looked up by name.
      expect(await instances.instanceExists(foreign)).toBe(false);
      const named = await createInstance('x');
      settle();
      expect(await instances.instanceExists(foreign)).toBe(true);
      expect((await instances.instanceMetadata(foreign)).providerID).toBe(named.providerId);
    });
  });

  describe('LoadBalancer', () => {
    const service = (overrides: Partial<ProviderService['spec']> = {}): ProviderService => ({
      metadata: {
        name: 'web',
        namespace: 'shop',
        uid: '7f3c2a1e-0b9d-4c5f-a6b7-c8d9e0f1a2b3',
        annotations: { [ANNOTATION_ALGORITHM]: 'least_connections' },
      },
      spec: {
        type: 'LoadBalancer',
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 },
          { name: 'dns', protocol: 'UDP', port: 53, nodePort: 30053 },
        ],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32000,
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        loadBalancerSourceRanges: ['10.1.2.3/8'],
        ...overrides,
      },
    });
    const NAME = 'a7f3c2a1e0b9d4c5fa6b7c8d9e0f1a2b';

    const cloudLb = async (): Promise<LoadBalancerDto | undefined> =>
      client.loadBalancers.getByName(NAME);

    it('should create, wait for, update and delete the load balancer of a service', async () => {
      const [a, b, c] = await Promise.all(['n1', 'n2', 'n3'].map((n) => createInstance(n)));
      const svc = service();

      expect(lbs.getLoadBalancerName(CLUSTER, svc)).toBe(NAME);
      expect(await lbs.getLoadBalancer(CLUSTER, svc)).toEqual({
        exists: false,
        status: { ingress: [] },
      });

      // Create: provisioning → RetryError, and the cloud LB mirrors the service.
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a), nodeOf(b)]));
      const created = (await cloudLb())!;
      expect(created).toMatchObject({
        state: 'provisioning',
        region: 'nimbus-1',
        ipFamilies: ['IPv4'],
        listeners: [
          { protocol: 'TCP', port: 80, targetPort: 30080 },
          { protocol: 'UDP', port: 53, targetPort: 30053 },
        ],
        healthCheck: { protocol: 'HTTP', port: 32000, path: '/healthz', intervalSeconds: 10 },
        algorithm: 'least_connections',
        sessionAffinity: { type: 'client_ip', timeoutSeconds: 600 },
        allowedSourceRanges: ['10.0.0.0/8'],
        labels: {
          [LABEL_CLUSTER_NAME]: CLUSTER,
          'kubernetes.io/service-namespace': 'shop',
          'kubernetes.io/service-name': 'web',
        },
      });
      expect(created.backends.map((x) => x.instanceId).sort()).toEqual([a.id, b.id].sort());

      // Still provisioning: another RetryError, nothing changes.
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(b), nodeOf(a)]));
      expect((await cloudLb())!.etag).toBe(created.etag);

      // Active: the status, and Ensure is a no-op from now on.
      settle();
      const ip = created.publicIps[0].ip;
      const status = await lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a), nodeOf(b)]);
      expect(status).toEqual({ ingress: [{ ip, ipMode: 'VIP' }] });
      const active = (await cloudLb())!;
      await lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a), nodeOf(b)]);
      expect((await cloudLb())!.etag).toBe(active.etag);
      expect(await lbs.getLoadBalancer(CLUSTER, svc)).toEqual({ exists: true, status });
      expect(await lbs.getLoadBalancer('another-cluster', svc)).toMatchObject({ exists: false });

      // Host update: the full node list; a node without providerID is found by name.
      await lbs.updateLoadBalancer(CLUSTER, svc, [nodeOf(b), nodeOf(c, false)]);
      const updated = (await cloudLb())!;
      expect(updated.state).toBe('updating');
      expect(updated.backends.map((x) => x.instanceId).sort()).toEqual([b.id, c.id].sort());
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(b), nodeOf(c)]));
      settle();

      // A spec change (nodePort, annotation, eTP Cluster) is PUT.
      const changed = service({
        ports: [{ protocol: 'TCP', port: 80, nodePort: 31080 }],
        externalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        loadBalancerSourceRanges: [],
      });
      changed.metadata!.annotations = { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '5' };
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, changed, [nodeOf(b), nodeOf(c)]));
      expect(await cloudLb()).toMatchObject({
        state: 'updating',
        listeners: [{ protocol: 'TCP', port: 80, targetPort: 31080 }],
        healthCheck: { protocol: 'TCP', port: 31080, intervalSeconds: 5 },
        algorithm: 'round_robin',
        sessionAffinity: { type: 'none' },
        allowedSourceRanges: ['0.0.0.0/0'],
      });
      settle();
      expect(await lbs.ensureLoadBalancer(CLUSTER, changed, [nodeOf(b), nodeOf(c)])).toEqual(
        status,
      );

      // Delete: idempotent, also once it is gone.
      await lbs.ensureLoadBalancerDeleted(CLUSTER, svc);
      expect((await cloudLb())!.state).toBe('deleting');
      await lbs.ensureLoadBalancerDeleted(CLUSTER, svc);
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(b)]));
      settle();
      expect(await cloudLb()).toBeUndefined();
      expect(await lbs.getLoadBalancer(CLUSTER, svc)).toMatchObject({ exists: false });
      await lbs.ensureLoadBalancerDeleted(CLUSTER, svc);
    });

    it('should serve both families in the service order and replace the LB for a new loadBalancerIP', async () => {
      const a = await createInstance('n1');
      const svc = service({ ipFamilies: ['IPv6', 'IPv4'], loadBalancerIP: '203.0.113.77' });

      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a)]));
      settle();
      const status = await lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a)]);

      expect(status.ingress).toHaveLength(2);
      expect(status.ingress[0].ip).toContain(':');
      expect(status.ingress[1]).toEqual({ ip: '203.0.113.77', ipMode: 'VIP' });

      const moved = service({ ipFamilies: ['IPv6', 'IPv4'], loadBalancerIP: '203.0.113.78' });
      const replacing = await expectRetry(lbs.ensureLoadBalancer(CLUSTER, moved, [nodeOf(a)]));
      expect(replacing.message).toMatch(/replaced/);
      expect((await cloudLb())!.state).toBe('deleting');
      settle();
      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, moved, [nodeOf(a)]));
      settle();
      const after = await lbs.ensureLoadBalancer(CLUSTER, moved, [nodeOf(a)]);
      expect(after.ingress[1]).toEqual({ ip: '203.0.113.78', ipMode: 'VIP' });
    });

    it('should drop backends whose instances are terminated', async () => {
      const [a, b] = await Promise.all(['n1', 'n2'].map((n) => createInstance(n)));
      await client.instances.terminate(b.id);

      await expectRetry(lbs.ensureLoadBalancer(CLUSTER, service(), [nodeOf(a), nodeOf(b)]));

      expect((await cloudLb())!.backends.map((x) => x.instanceId)).toEqual([a.id]);
    });

    it('should surface the cloud refusing a loadBalancerIP and updates of a missing LB', async () => {
      const a = await createInstance('n1');
      const outsidePool = service({ loadBalancerIP: '198.18.0.1' });

      await expect(
        lbs.ensureLoadBalancer(CLUSTER, outsidePool, [nodeOf(a)]),
      ).rejects.toBeInstanceOf(FailedPreconditionError);
      await expect(lbs.updateLoadBalancer(CLUSTER, service(), [nodeOf(a)])).rejects.toThrow(
        /not found/,
      );
      expect(await cloudLb()).toBeUndefined();
    });

    it('should create a new Service’s LB without a lookup, and look up when the LB may exist', async () => {
      const a = await createInstance('n1');
      const calls: string[] = [];
      const counting = new NimbusCloudClient({
        baseUrl: api.url,
        token: api.token,
        fetch: (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
          return fetch(input, init);
        },
      });
      const fresh = () =>
        new NimbusCloudProvider({
          client: counting,
          clusterName: CLUSTER,
          loadBalancerRetryAfterMs: RETRY_AFTER_MS,
        }).loadBalancer();
      const lbCalls = () => calls.filter((c) => c.includes('/v1/load-balancers'));
      const LOOKUP = `GET /v1/load-balancers?pageSize=500&name=${NAME}`;
      const first = fresh();

      // A new Service: one create, no lookup.
      await expectRetry(first.ensureLoadBalancer(CLUSTER, service(), [nodeOf(a)]));
      expect(lbCalls()).toEqual(['POST /v1/load-balancers']);

      // Its retry (still provisioning): this provider knows the LB, so it looks it up.
      calls.length = 0;
      await expectRetry(first.ensureLoadBalancer(CLUSTER, service(), [nodeOf(a)]));
      expect(lbCalls()).toEqual([LOOKUP]);

      // After a restart, a Service with ingress is looked up first (no failed create)…
      settle();
      const withIngress = { ...service(), status: { loadBalancer: { ingress: [{ ip: 'x' }] } } };
      calls.length = 0;
      const status = await fresh().ensureLoadBalancer(CLUSTER, withIngress, [nodeOf(a)]);
      expect(lbCalls()).toEqual([LOOKUP]);

      // …and one without (a crash between create and status write) finds it after ALREADY_EXISTS.
      calls.length = 0;
      expect(await fresh().ensureLoadBalancer(CLUSTER, service(), [nodeOf(a)])).toEqual(status);
      expect(lbCalls()).toEqual(['POST /v1/load-balancers', LOOKUP]);
    });

    it('should reject bad annotations and unsupported ports before calling the cloud', async () => {
      const a = await createInstance('n1');
      const badInterval = service();
      badInterval.metadata!.annotations = { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '0' };
      const badAlgorithm = service();
      badAlgorithm.metadata!.annotations = { [ANNOTATION_ALGORITHM]: 'random' };
      const sctp = service({ ports: [{ protocol: 'SCTP', port: 9, nodePort: 30009 }] });
      const badRange = service({ loadBalancerSourceRanges: ['10.0.0.0/33'] });

      for (const svc of [badInterval, badAlgorithm, sctp, badRange]) {
        await expect(lbs.ensureLoadBalancer(CLUSTER, svc, [nodeOf(a)])).rejects.toBeInstanceOf(
          InvalidServiceError,
        );
      }
      expect(await cloudLb()).toBeUndefined();
    });
  });

  describe('Routes', () => {
    it('should create, list, blackhole and delete the routes of the cluster', async () => {
      const [a, b] = await Promise.all(['node-a', 'node-b'].map((n) => createInstance(n)));
      settle();
      const network = await client.networks.getDefault();
      // A route of somebody else in the same network is never listed.
      await client.routes.create(network.id, {
        name: 'manual',
        destinationCidr: '192.168.0.0/24',
        nextHop: { instanceId: a.id },
      });

      const podRoutes: [string, string, string][] = [
        ['uid-a', 'node-a', '10.244.1.0/24'],
        ['uid-a', 'node-a', '2001:db8:1:0::/64'],
        ['uid-b', 'node-b', '10.244.2.0/24'],
        ['uid-b', 'node-b', '10.244.2.0/24'], // the same route again is fine
      ];
      for (const [uid, targetNode, destinationCIDR] of podRoutes) {
        await routes.createRoute(CLUSTER, uid, { targetNode, destinationCIDR });
      }
      settle();

      const listed = await routes.listRoutes(CLUSTER);
      expect(listed.sort((x, y) => x.destinationCIDR.localeCompare(y.destinationCIDR))).toEqual([
        {
          name: `${CLUSTER}-uid-a`,
          targetNode: 'node-a',
          destinationCIDR: '10.244.1.0/24',
          blackhole: false,
        },
        {
          name: `${CLUSTER}-uid-b`,
          targetNode: 'node-b',
          destinationCIDR: '10.244.2.0/24',
          blackhole: false,
        },
        {
          name: `${CLUSTER}-uid-a-v6`,
          targetNode: 'node-a',
          destinationCIDR: '2001:db8:1::/64',
          blackhole: false,
        },
      ]);
      expect(await routes.listRoutes('another-cluster')).toEqual([]);
      const cloudRoute = await client.routes.findByName(network.id, `${CLUSTER}-uid-b`);
      expect(cloudRoute?.nextHop.instanceId).toBe(b.id);

      // The next hop goes away: the route becomes a blackhole.
      await client.instances.terminate(b.id);
      settle();
      const afterTermination = await routes.listRoutes(CLUSTER);
      const stale = afterTermination.find((r) => r.targetNode === 'node-b')!;
      expect(stale.blackhole).toBe(true);
      expect(afterTermination.filter((r) => r.blackhole)).toHaveLength(1);

      await routes.deleteRoute(CLUSTER, stale);
      await routes.deleteRoute(CLUSTER, stale);
      expect((await routes.listRoutes(CLUSTER)).map((r) => r.targetNode).sort()).toEqual([
        'node-a',
        'node-a',
      ]);
      expect(await client.routes.findByName(network.id, 'manual')).toBeDefined();
    });

    it('should fail to create a route for a node without an instance', async () => {
      await expect(
        routes.createRoute(CLUSTER, 'uid-x', {
          targetNode: 'ghost',
          destinationCIDR: '10.244.9.0/24',
        }),
      ).rejects.toBeInstanceOf(InstanceNotFoundError);
    });
  });
});

import type { RouteDto } from '@app/cloud-contracts';
import {
  NimbusCloudProvider,
  parseRouteDescription,
  routeDescription,
  type CloudProvider,
} from '@app/cloud-provider';
import { ConfigError } from '@app/config';
import type { V1Node } from '@app/kube-client';
import { CLOUD_ADMIN_TOKEN, CcmHarness, RecordingLogger, holdsFor, waitFor } from './harness';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

/*
 * Route controller scenarios R1–R6 (ccm-behaviour §14) against the real api-server, cloud API and
 * CCM. Every test uses its own --cluster-name (the cloud lists routes per cluster) and its own pod
 * CIDR range (destinations are unique per network), so tests share one stack.
 */
describe('route controller (e2e)', () => {
  let h: CcmHarness;
  let networkId: string;

  beforeAll(async () => {
    h = await CcmHarness.start();
    networkId = (await h.cloud.networks.getDefault()).id;
  });

  afterAll(async () => {
    await h?.close();
  });

  // A CCM acts on every Node with pod CIDRs, whatever its cluster name: leave none behind.
  const nodes: string[] = [];
  afterEach(async () => {
    for (const ccm of [...h.ccms]) {
      await h.stopCcm(ccm);
    }
    for (const name of nodes.splice(0)) {
      await h.core.deleteNode({ name }).catch(() => undefined);
    }
  });

  const routeFlags = (clusterName: string, clusterCidr: string) => ({
    controllers: 'route',
    clusterName,
    clusterCidr,
  });

  /** The cloud routes of a cluster (as the provider marks them), by destination. */
  const clusterRoutes = async (clusterName: string): Promise<Map<string, RouteDto>> => {
    const found = new Map<string, RouteDto>();
    for await (const route of h.cloud.routes.listAll(networkId)) {
      if (parseRouteDescription(route.description)?.clusterName === clusterName) {
        found.set(route.destinationCidr, route);
      }
    }
    return found;
  };

  const networkUnavailable = async (name: string) =>
    (await h.getNode(name))?.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');

  /** A node with an instance of the same name (the route's next hop) and the given pod CIDRs. */
  const nodeWithInstance = async (name: string, podCIDRs: string[]): Promise<V1Node> => {
    await h.createInstance(name);
    nodes.push(name);
    return h.createNode(name, { tainted: false, podCIDRs });
  };

  /** Injects a route owned by `clusterName` (as the provider would have created it). */
  const injectOwnedRoute = async (
    clusterName: string,
    name: string,
    destinationCidr: string,
    nodeName: string,
    instanceId: string,
  ) =>
    h.cloud.routes.create(networkId, {
      name,
      destinationCidr,
      nextHop: { instanceId },
      description: routeDescription(clusterName, nodeName),
    });

  const admin = async (method: string, path: string, body?: object): Promise<unknown> => {
    const res = await fetch(`${h.cloudApi.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.status === 204 ? undefined : res.json();
  };

  const setRouteQuota = (limit: number) =>
    admin('PUT', '/v1/projects/default/quotas', { limits: { routesPerNetwork: limit } });

  /** Waits for NetworkUnavailable with this reason on the node. */
  const conditionWithReason = (name: string, reason: string) =>
    waitFor(
      async () => {
        const c = await networkUnavailable(name);
        return c?.reason === reason && c;
      },
      { message: `${reason} on ${name}` },
    );

  const failedToCreateRoute = (name: string) =>
    waitFor(
      async () => {
        const found = await h.events({
          reason: 'FailedToCreateRoute',
          component: 'route_controller',
          involvedName: name,
        });
        return found.length > 0 && found[0];
      },
      { message: `FailedToCreateRoute on ${name}` },
    );

  it('R1: one route per (node, pod CIDR) named from the node UID; NetworkUnavailable=False/RouteCreated', async () => {
    const ccm = await h.startCcm(routeFlags('r1', '10.201.0.0/16,fd00:201::/56'));
    const a = await nodeWithInstance('r1-a', ['10.201.1.0/24', 'fd00:201:0:1::/64']);
    const b = await nodeWithInstance('r1-b', ['10.201.2.0/24']);
    const [aInstance] = await h.cloud.instances.findByName('r1-a');

    const routes = await waitFor(
      async () => {
        const found = await clusterRoutes('r1');
        return found.size === 3 && found;
      },
      { message: 'three routes' },
    );
    expect(routes.get('10.201.1.0/24')).toMatchObject({
      name: `r1-${a.metadata?.uid}`,
      description: 'k8s-node-route cluster=r1 node=r1-a',
      nextHop: { instanceId: aInstance?.id },
    });
    expect(routes.get('fd00:201:0:1::/64')?.name).toBe(`r1-${a.metadata?.uid}-v6`);
    expect(routes.get('10.201.2.0/24')?.name).toBe(`r1-${b.metadata?.uid}`);

    for (const name of ['r1-a', 'r1-b']) {
      const condition = await waitFor(
        async () => {
          const c = await networkUnavailable(name);
          return c?.reason === 'RouteCreated' && c;
        },
        { message: `RouteCreated on ${name}` },
      );
      expect(condition).toMatchObject({
        status: 'False',
        reason: 'RouteCreated',
        message: 'RouteController created a route',
      });
      expect(condition.lastTransitionTime).toBeDefined();
      expect(condition.lastHeartbeatTime).toBeDefined();
    }
    // Steady state: no duplicate routes, the condition is not rewritten.
    const before = (await h.getNode('r1-a'))?.metadata?.resourceVersion;
    await holdsFor(
      async () =>
        (await clusterRoutes('r1')).size === 3 &&
        (await h.getNode('r1-a'))?.metadata?.resourceVersion === before,
      1_500,
      'routes and node unchanged over three periods',
    );
    const synced = await ccm.registry.getSingleMetricAsString('route_controller_route_sync_total');
    expect(synced).toMatch(/route_controller_route_sync_total [1-9]/);
    await h.stopCcm(ccm);
  });

  it('R1 (watch-based gate): with CloudControllerManagerWatchBasedRoutesReconciliation a node change triggers the pass', async () => {
    await nodeWithInstance('r1w-a', ['10.212.1.0/24']);
    await h.startCcm({
      ...routeFlags('r1w', '10.212.0.0/16'),
      // After the first pass the fixed period would not come round during the test.
      routeReconciliationPeriod: '1h',
      featureGates: 'CloudControllerManagerWatchBasedRoutesReconciliation=true',
    });
    await waitFor(async () => (await clusterRoutes('r1w')).has('10.212.1.0/24'), {
      message: 'route of r1w-a (first pass)',
    });
    await nodeWithInstance('r1w-b', ['10.212.2.0/24']);
    // At most one pass per 10 s (token bucket): the add is handled within that.
    await waitFor(async () => (await clusterRoutes('r1w')).has('10.212.2.0/24'), {
      timeoutMs: 15_000,
      message: 'route of r1w-b after the node add',
    });
    expect((await conditionWithReason('r1w-b', 'RouteCreated')).status).toBe('False');
  });

  it('R2: a deleted node loses its route on the next cycle', async () => {
    const ccm = await h.startCcm(routeFlags('r2', '10.202.0.0/16'));
    await nodeWithInstance('r2-a', ['10.202.1.0/24']);
    await nodeWithInstance('r2-b', ['10.202.2.0/24']);
    await waitFor(async () => (await clusterRoutes('r2')).size === 2, { message: 'two routes' });

    await h.core.deleteNode({ name: 'r2-a' });
    const left = await waitFor(
      async () => {
        const found = await clusterRoutes('r2');
        return found.size === 1 && found;
      },
      { message: 'the route of r2-a deleted' },
    );
    expect([...left.keys()]).toEqual(['10.202.2.0/24']);
    await h.stopCcm(ccm);
  });

  it('R3: owned routes outside --cluster-cidr are never deleted; blackhole and stale ones inside are', async () => {
    const bystander = await h.createInstance('r3-bystander');
    const doomed = await h.createInstance('r3-doomed');
    await injectOwnedRoute('r3', 'r3-outside', '192.168.203.0/24', 'r3-ghost', bystander.id);
    await injectOwnedRoute('r3', 'r3-stale', '10.203.9.0/24', 'r3-ghost', bystander.id);
    // A live node whose route turns into a blackhole when its instance goes away.
    nodes.push('r3-doomed');
    await h.createNode('r3-doomed', { tainted: false, podCIDRs: ['10.203.1.0/24'] });
    await injectOwnedRoute('r3', 'r3-doomed-route', '10.203.1.0/24', 'r3-doomed', doomed.id);
    await h.cloud.instances.terminate(doomed.id);
    await waitFor(
      async () => (await clusterRoutes('r3')).get('10.203.1.0/24')?.state === 'blackhole',
      { message: 'the route became a blackhole' },
    );

    const ccm = await h.startCcm(routeFlags('r3', '10.203.0.0/16'));
    await waitFor(
      async () => {
        const found = await clusterRoutes('r3');
        return !found.has('10.203.9.0/24') && !found.has('10.203.1.0/24');
      },
      { message: 'stale and blackhole routes deleted' },
    );
    await holdsFor(
      async () => (await clusterRoutes('r3')).has('192.168.203.0/24'),
      1_500,
      'the route outside the cluster CIDR stays',
    );
    await h.stopCcm(ccm);
  });

  it('R4: CreateRoute failing (cloud fault injection) → FailedToCreateRoute + NoRouteCreated; recovers on the next cycle after the fault clears', async () => {
    const rule = (await admin('POST', '/admin/faults', {
      description: 'R4: CreateRoute of cluster r4f fails',
      match: { operation: 'routes.create', resourceName: 'r4f-*' },
      effect: { type: 'error', status: 500, message: 'injected CreateRoute failure' },
    })) as { id: string };
    const ccm = await h.startCcm(routeFlags('r4f', '10.211.0.0/16'));
    const node = await nodeWithInstance('r4f-a', ['10.211.1.0/24']);

    const event = await failedToCreateRoute('r4f-a');
    expect(event.type).toBe('Warning');
    expect(event.involvedObject).toMatchObject({ apiVersion: 'v1', kind: 'Node', name: 'r4f-a' });
    expect(event.message).toMatch(
      new RegExp(
        `^Could not create route ${node.metadata?.uid} 10\\.211\\.1\\.0/24 for node r4f-a after \\S+: .*injected CreateRoute failure`,
      ),
    );
    expect(await conditionWithReason('r4f-a', 'NoRouteCreated')).toMatchObject({
      status: 'True',
      message: 'RouteController failed to create a route',
    });
    expect((await clusterRoutes('r4f')).size).toBe(0);

    await admin('DELETE', `/admin/faults/${rule.id}`);
    expect((await conditionWithReason('r4f-a', 'RouteCreated')).status).toBe('False');
    expect((await clusterRoutes('r4f')).has('10.211.1.0/24')).toBe(true);
    await h.stopCcm(ccm);
  });

  it('R4 (quota): CreateRoute failing (route quota exhausted) → FailedToCreateRoute + NoRouteCreated; recovers once the quota is raised', async () => {
    // A second deterministic failure: no room left for another route in the network.
    let used = 0;
    for await (const route of h.cloud.routes.listAll(networkId)) {
      used += route ? 1 : 0;
    }
    await setRouteQuota(used);
    try {
      await h.startCcm(routeFlags('r4', '10.204.0.0/16'));
      const node = await nodeWithInstance('r4-a', ['10.204.1.0/24']);

      const event = await failedToCreateRoute('r4-a');
      expect(event.message).toMatch(
        new RegExp(
          `^Could not create route ${node.metadata?.uid} 10\\.204\\.1\\.0/24 for node r4-a after \\S+: .*quota`,
          'i',
        ),
      );
      expect((await conditionWithReason('r4-a', 'NoRouteCreated')).status).toBe('True');
      // It fails again on the next cycle (the "after …" duration differs: a new message).
      await waitFor(
        async () =>
          (await h.events({ reason: 'FailedToCreateRoute', involvedName: 'r4-a' }))
            .map((e) => e.count ?? 1)
            .reduce((a, b) => a + b, 0) > 1,
        { message: 'a second FailedToCreateRoute' },
      );

      await setRouteQuota(1_000);
      expect((await conditionWithReason('r4-a', 'RouteCreated')).status).toBe('False');
      expect((await clusterRoutes('r4')).has('10.204.1.0/24')).toBe(true);
    } finally {
      await setRouteQuota(1_000);
    }
  });

  it('R5: NetworkUnavailable=False set by another agent (CalicoIsUp) is overwritten to RouteCreated', async () => {
    await nodeWithInstance('r5-a', ['10.205.1.0/24']);
    await h.patchNodeStatus('r5-a', {
      conditions: [
        {
          type: 'NetworkUnavailable',
          status: 'False',
          reason: 'CalicoIsUp',
          message: 'Calico is running on this node',
          lastHeartbeatTime: new Date(),
          lastTransitionTime: new Date(),
        },
      ],
    });
    const ccm = await h.startCcm(routeFlags('r5', '10.205.0.0/16'));
    const condition = await waitFor(
      async () => {
        const c = await networkUnavailable('r5-a');
        return c?.reason === 'RouteCreated' && c;
      },
      { message: 'RouteCreated over CalicoIsUp' },
    );
    expect(condition).toMatchObject({
      status: 'False',
      message: 'RouteController created a route',
    });
    const conditions = (await h.getNode('r5-a'))?.status?.conditions ?? [];
    expect(conditions.filter((c) => c.type === 'NetworkUnavailable')).toHaveLength(1);
    await h.stopCcm(ccm);
  });

  describe('R6: controller not started', () => {
    const untouched = async (clusterName: string, cidr: string, nodeName: string) => {
      const ghost = await h.createInstance(`${nodeName}-ghost`);
      await injectOwnedRoute(
        clusterName,
        `${nodeName}-stale`,
        cidr.replace('.0.0/16', '.9.0/24'),
        'ghost',
        ghost.id,
      );
      await nodeWithInstance(nodeName, [cidr.replace('.0.0/16', '.1.0/24')]);
      return async () => {
        const routes = await clusterRoutes(clusterName);
        const condition = await networkUnavailable(nodeName);
        return routes.size === 1 && condition === undefined;
      };
    };

    /**
     * Starts a CCM running the route controller next to the node controller. Once the node
     * controller has written the node's cloud addresses (so the CCM's informers saw the node) and
     * the route controller was reported skipped, nothing may have touched the routes or the node.
     */
    const startWithoutRoutes = async (
      flags: Record<string, unknown>,
      nodeName: string,
      deps: { cloud?: CloudProvider } = {},
    ) => {
      const logger = new RecordingLogger();
      const ccm = await h.startCcm(
        { ...flags, controllers: 'route,cloud-node' },
        { ...deps, logger },
      );
      await waitFor(
        () => logger.has('Skipping controller', { controller: 'node-route-controller' }),
        {
          message: 'the route controller skipped',
        },
      );
      await waitFor(
        async () =>
          (await h.getNode(nodeName))?.status?.addresses?.some((a) => a.type === 'InternalIP'),
        { message: `${nodeName} seen by the CCM (addresses refreshed)` },
      );
      return ccm;
    };

    it('R6: --configure-cloud-routes=false → no route created or deleted, no condition', async () => {
      const probe = await untouched('r6a', '10.206.0.0/16', 'r6a-a');
      const ccm = await startWithoutRoutes(
        { ...routeFlags('r6a', '10.206.0.0/16'), configureCloudRoutes: 'false' },
        'r6a-a',
      );
      expect(await probe()).toBe(true);
      expect(ccm.registry.getSingleMetric('route_controller_route_sync_total')).toBeUndefined();
      await h.stopCcm(ccm);
    });

    it('R6: a cloud without Routes → not started, routes untouched', async () => {
      const probe = await untouched('r6b', '10.207.0.0/16', 'r6b-a');
      const nimbus = new NimbusCloudProvider({ client: h.cloud, clusterName: 'r6b' });
      const noRoutes: CloudProvider = {
        providerName: () => nimbus.providerName(),
        instancesV2: () => nimbus.instancesV2(),
        loadBalancer: () => nimbus.loadBalancer(),
        zones: () => nimbus.zones(),
        hasClusterID: () => nimbus.hasClusterID(),
        routes: () => undefined,
      };
      const ccm = await startWithoutRoutes(routeFlags('r6b', '10.207.0.0/16'), 'r6b-a', {
        cloud: noRoutes,
      });
      expect(await probe()).toBe(true);
      expect(ccm.registry.getSingleMetric('route_controller_route_sync_total')).toBeUndefined();
      await h.stopCcm(ccm);
    });

    it('R6: an invalid --cluster-cidr → the process fails to start', async () => {
      for (const clusterCidr of [
        'banana',
        '10.208.0.0/33',
        '10.208.0.0/16,10.209.0.0/16',
        '10.208.0.0/16,fd00::/56,fd01::/56',
      ]) {
        await expect(h.startCcm(routeFlags('r6c', clusterCidr))).rejects.toThrow(ConfigError);
      }
    });

    it('R6 (Nimbus): an empty --cluster-cidr skips the route controller instead of exiting', async () => {
      const probe = await untouched('r6d', '10.210.0.0/16', 'r6d-a');
      const ccm = await startWithoutRoutes(routeFlags('r6d', ''), 'r6d-a');
      expect(await probe()).toBe(true);
      expect(ccm.registry.getSingleMetric('route_controller_route_sync_total')).toBeUndefined();
      await h.stopCcm(ccm);
    });
  });
});

import { hostAddressOf } from '@app/common';
import type { NodeObject, PodObject, ServiceObject } from '@app/kube-client';
import { serviceReader } from '../../src/commands/lb-address.command';
import { resolveLbAddress } from '../../src/lb-address/resolve-lb-address';
import { ClusterHarness, isRunningAndReady, waitFor } from './cluster-harness';
import { httpGet, podAnswering, UdpFlow } from './traffic';

// The upstream `[Feature:LoadBalancer]` e2e cases (kubernetes test/e2e/network/loadbalancer.go,
// anchors-2026.md §5.2) against the built-in stack, with real sockets: client → cloud LB (its
// host address) → node:NodePort (kube-proxy) → pod (the kubelet's responder). What
// kube-proxy.e2e-spec.ts already covers (README story, NodePort rotation, eTP Local health
// checks and the Local → Cluster switch, plain UDP) is not repeated. Issue 11.
jest.setTimeout(300_000);

const CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

describe('[Feature:LoadBalancer] LoadBalancers on the built-in stack', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    // A pod range of its own, so pod addresses (127.X.…) do not meet a concurrent test stack's;
    // above the service range 10.96.0.0/12, which node IPAM keeps out of the cluster CIDR (a
    // cluster CIDR inside it leaves no pod CIDR to give: nodes stay NotReady).
    const second = 112 + Math.floor(Math.random() * 38);
    h = await ClusterHarness.start({
      up: { clusterCidr: `10.${second}.0.0/16`, proxyMetricsPort: '0' },
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  const service = (name: string) => h.kJson<ServiceObject>(['get', 'svc', name]);
  const patch = (name: string, body: object, type = 'merge') =>
    h.k(['patch', 'svc', name, '--type', type, '-p', JSON.stringify(body)]);
  const pods = async (selector: string) =>
    (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', selector])).items;
  const nodeAddress = async (name: string) => {
    const node = await h.kJson<NodeObject>(['get', 'node', name]);
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return hostAddressOf(ip!)!;
  };
  const lbAddress = (name: string, options: { protocol?: 'TCP' | 'UDP'; port?: number } = {}) =>
    resolveLbAddress(
      name,
      { waitMs: 60_000, protocol: options.protocol ?? 'TCP', port: options.port },
      {
        getLoadBalancer: (id) => h.cloud.loadBalancers.get(id),
        listLoadBalancers: () => h.cloud.loadBalancers.listAll(),
        getService: serviceReader(h.nimbus.kubeconfigPath),
      },
    );
  const lbGone = (id: string) =>
    waitFor(
      async () => {
        for await (const lb of h.cloud.loadBalancers.listAll()) {
          if (lb.id === id) {
            return false;
          }
        }
        return true;
      },
      { timeoutMs: 60_000, message: `load balancer ${id} deleted in the cloud` },
    );
  /** Waits until `url` refuses (or otherwise fails) a new connection. */
  const refused = (url: string, localAddress?: string) =>
    waitFor(
      () =>
        httpGet(url, undefined, localAddress).then(
          () => false,
          () => true,
        ),
      { timeoutMs: 60_000, message: `${url} refusing${localAddress ? ` ${localAddress}` : ''}` },
    );
  /** Waits until `url` answers from a pod (through whatever proxies are in the way). */
  const answered = (url: string, localAddress?: string) =>
    waitFor(
      async () => {
        const r = await httpGet(url, undefined, localAddress).catch(() => undefined);
        return r?.status === 200 ? (JSON.parse(r.body) as { pod: string }).pod : undefined;
      },
      { timeoutMs: 60_000, message: `${url} answering${localAddress ? ` ${localAddress}` : ''}` },
    );
  /** A Deployment of `replicas` responders labelled app=<name>, rolled out. */
  const deployment = async (name: string, replicas: number, port = 80) => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: port }] }],
            },
          },
        },
      }),
    );
    expect(
      (await h.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=120s'])).code,
    ).toBe(0);
  };
  const serviceManifest = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 80 }], ...spec },
    });
  const withIngress = (name: string) =>
    waitFor(
      async () => {
        const s = await service(name);
        return s.status?.loadBalancer?.ingress?.length ? s : undefined;
      },
      { timeoutMs: 60_000, message: `service ${name} has a load balancer ingress` },
    );

  it('[TCP] should be able to change the type and ports of a TCP service', async () => {
    await deployment('mutability', 2);
    await h.apply(serviceManifest('mutability', { type: 'ClusterIP' }));

    // ClusterIP → NodePort: a nodePort is allocated and every node forwards it.
    await patch('mutability', { spec: { type: 'NodePort' } });
    const asNodePort = await service('mutability');
    const nodePort = asNodePort.spec!.ports![0].nodePort!;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    // Defaulted on the update as on create (SetDefaults_Service runs on every write).
    expect(asNodePort.spec!.externalTrafficPolicy).toBe('Cluster');
    const w1 = await nodeAddress('worker-1');
    const names = (await pods('app=mutability')).map((p) => p.metadata!.name!);
    expect(names).toContain(await answered(`http://${w1}:${nodePort}/`));

    // A new nodePort: the old one closes, the new one forwards.
    const newNodePort = nodePort === 32767 ? nodePort - 1 : nodePort + 1;
    await patch('mutability', {
      spec: { ports: [{ port: 80, targetPort: 80, nodePort: newNodePort }] },
    });
    expect((await service('mutability')).spec!.ports![0].nodePort).toBe(newNodePort);
    expect(names).toContain(await answered(`http://${w1}:${newNodePort}/`));
    await refused(`http://${w1}:${nodePort}/`);

    // NodePort → LoadBalancer: the CCM creates a cloud LB that forwards to the nodePort.
    await patch('mutability', { spec: { type: 'LoadBalancer' } });
    expect((await service('mutability')).spec!.allocateLoadBalancerNodePorts).toBe(true);
    const ingress = (await withIngress('mutability')).status!.loadBalancer!.ingress![0].ip;
    const lb = await lbAddress('mutability');
    expect(names).toContain(await answered(`http://${lb.text}/`));

    // A new Service port: the LB listener moves with it, keeping its IP; the old one closes.
    await patch('mutability', {
      spec: { ports: [{ port: 81, targetPort: 80, nodePort: newNodePort }] },
    });
    const moved = await waitFor(
      () => lbAddress('mutability', { port: 81 }).catch(() => undefined),
      { timeoutMs: 60_000, message: 'LB listener on port 81' },
    );
    expect(moved.loadBalancer.id).toBe(lb.loadBalancer.id);
    expect((await service('mutability')).status!.loadBalancer!.ingress![0].ip).toBe(ingress);
    expect(names).toContain(await answered(`http://${moved.text}/`));
    await refused(`http://${lb.text}/`);

    // LoadBalancer → ClusterIP: the LB is deleted, the nodePort released and closed.
    await patch('mutability', { spec: { type: 'ClusterIP' } });
    const back = await service('mutability');
    expect(back.spec!.ports![0].nodePort).toBeUndefined();
    // Fields only NodePort/LoadBalancer Services have go with the type (dropTypeDependentFields).
    expect(back.spec!.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(back.spec!.externalTrafficPolicy).toBeUndefined();
    await lbGone(lb.loadBalancer.id);
    await waitFor(
      async () => !(await service('mutability')).status?.loadBalancer?.ingress?.length,
      { timeoutMs: 60_000, message: 'ingress cleared from the status' },
    );
    await refused(`http://${w1}:${newNodePort}/`);
    await refused(`http://${moved.text}/`);
  });

  it('should only allow access from service loadbalancer source ranges', async () => {
    await deployment('ranges', 1);
    // Two client pods, as upstream's accept/drop pods: their IPs are the sources the ranges
    // name; a client dials from the pod's host address (hostAddressOf), as the pod would.
    for (const name of ['accept', 'drop']) {
      await h.apply(h.podManifest(name, undefined));
    }
    const client = async (name: string) => {
      const pod = await h.waitForPod(name, isRunningAndReady, 'running', 60_000);
      return { cidr: `${pod.status!.podIP!}/32`, from: hostAddressOf(pod.status!.podIP!)! };
    };
    const [accept, drop] = [await client('accept'), await client('drop')];
    await h.apply(
      serviceManifest('ranges', { type: 'LoadBalancer', loadBalancerSourceRanges: [accept.cidr] }),
    );
    const lb = await lbAddress('ranges');
    expect((await h.cloud.loadBalancers.get(lb.loadBalancer.id)).allowedSourceRanges).toEqual([
      accept.cidr,
    ]);
    const url = `http://${lb.text}/`;
    await answered(url, accept.from);
    await refused(url, drop.from);
    await refused(url); // the host itself (127.0.0.1) is outside too

    // Swap the ranges: now only the other pod gets in.
    await patch('ranges', { spec: { loadBalancerSourceRanges: [drop.cidr] } });
    await answered(url, drop.from);
    await refused(url, accept.from);

    // No ranges: everyone.
    await patch('ranges', { spec: { loadBalancerSourceRanges: null } });
    await answered(url, accept.from);
    await answered(url, drop.from);
    await answered(url);
  });

  // Upstream's four session-affinity cases: ClientIP pins a client to one pod through the LB
  // ("ESIPP on" = externalTrafficPolicy Local, "off" = Cluster), and switching affinity on a live
  // Service takes effect.
  const pinned = (url: string) =>
    waitFor(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 10; i++) {
          seen.add(await podAnswering(url));
        }
        return seen.size === 1 ? [...seen][0] : undefined;
      },
      { timeoutMs: 60_000, message: `${url}: every request on one pod` },
    );
  const spread = (url: string) =>
    waitFor(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 10; i++) {
          seen.add(await podAnswering(url));
        }
        return seen.size > 1 ? seen : undefined;
      },
      { timeoutMs: 60_000, message: `${url}: requests spread over pods` },
    );
  const affinityService = async (
    name: string,
    policy: 'Local' | 'Cluster',
    affinity: 'None' | 'ClientIP',
  ) => {
    await deployment(name, 3);
    await h.apply(
      serviceManifest(name, {
        type: 'LoadBalancer',
        externalTrafficPolicy: policy,
        sessionAffinity: affinity,
      }),
    );
    const lb = await lbAddress(name);
    // Serving through every backend the policy allows (Local: nodes with a pod).
    const nodes = new Set((await pods(`app=${name}`)).map((p) => p.spec!.nodeName!));
    const byInstance = new Map<string, string>();
    for (const node of ['worker-1', 'worker-2', 'worker-3']) {
      byInstance.set((await h.instance(node)).id, node);
    }
    await waitFor(
      async () => {
        const view = await h.cloud.loadBalancers.get(lb.loadBalancer.id);
        return (
          view.backends.length === 3 &&
          view.backends.every(
            (b) =>
              (b.health === 'healthy') ===
              (policy === 'Cluster' || nodes.has(byInstance.get(b.instanceId)!)),
          )
        );
      },
      { timeoutMs: 90_000, message: `${name}: LB backend health matches the ${policy} policy` },
    );
    return `http://${lb.text}/`;
  };

  it.each(['Local', 'Cluster'] as const)(
    'should have session affinity work for LoadBalancer service (externalTrafficPolicy %s)',
    async (policy) => {
      const name = `affinity-${policy.toLowerCase()}`;
      const url = await affinityService(name, policy, 'ClientIP');
      const pod = await pinned(url);
      expect((await pods(`app=${name}`)).map((p) => p.metadata!.name)).toContain(pod);
      // It stays pinned for later connections too.
      for (let i = 0; i < 5; i++) {
        expect(await podAnswering(url)).toBe(pod);
      }
    },
  );

  it.each(['Local', 'Cluster'] as const)(
    'should be able to switch session affinity for LoadBalancer service (externalTrafficPolicy %s)',
    async (policy) => {
      const name = `affinity-switch-${policy.toLowerCase()}`;
      const url = await affinityService(name, policy, 'None');
      // Without affinity new connections rotate over the three pods (over the nodes with a pod,
      // then over that node's pods).
      await spread(url);
      await patch(name, { spec: { sessionAffinity: 'ClientIP' } });
      await pinned(url);
      await patch(name, { spec: { sessionAffinity: 'None' } });
      await spread(url);
    },
  );

  it('should handle load balancer cleanup finalizer for service', async () => {
    await deployment('finalizer', 1);
    await h.apply(serviceManifest('finalizer', { type: 'LoadBalancer' }));
    const lb = await lbAddress('finalizer');
    await answered(`http://${lb.text}/`);
    const finalizers = async () => (await service('finalizer')).metadata?.finalizers ?? [];
    expect(await finalizers()).toContain(CLEANUP_FINALIZER);

    // type=ClusterIP: the LB is deleted and then the finalizer removed.
    await patch('finalizer', { spec: { type: 'ClusterIP' } });
    await waitFor(async () => !(await finalizers()).includes(CLEANUP_FINALIZER), {
      timeoutMs: 60_000,
      message: 'finalizer removed after type=ClusterIP',
    });
    await lbGone(lb.loadBalancer.id);

    // Back to LoadBalancer: the finalizer comes back with a new LB.
    await patch('finalizer', { spec: { type: 'LoadBalancer' } });
    await waitFor(async () => (await finalizers()).includes(CLEANUP_FINALIZER), {
      timeoutMs: 60_000,
      message: 'finalizer added back after type=LoadBalancer',
    });
    const again = await lbAddress('finalizer');
    await answered(`http://${again.text}/`);

    // Deleting the Service: it lingers until the LB is gone, then goes — no LB is left behind.
    await h.k(['delete', 'svc', 'finalizer', '--wait=false']);
    await waitFor(
      async () => {
        const r = await h.kubectl(['get', 'svc', 'finalizer']);
        return r.code !== 0 && /NotFound/.test(r.stderr);
      },
      { timeoutMs: 60_000, message: 'service deleted' },
    );
    const left = [];
    for await (const x of h.cloud.loadBalancers.listAll()) {
      if (x.id === again.loadBalancer.id) {
        left.push(x);
      }
    }
    expect(left).toEqual([]);
  });

  it('should be able to create LoadBalancer Service without NodePort and change it — Nimbus LBs forward to NodePorts, so without them the CCM reports why and serves once they are allocated', async () => {
    // Nimbus load balancers, as most clouds' instance-target LBs, send traffic to every node's
    // nodePort; pod-IP targets (what allocateLoadBalancerNodePorts: false is for) are not offered
    // (docs/dataplane.md, "Limits"). The documented behaviour: no nodePort is allocated, the
    // service controller reports SyncLoadBalancerFailed and no ingress is written; turning
    // allocation back on allocates nodePorts and the LB then serves.
    await deployment('reallocate', 1);
    await h.apply(serviceManifest('reallocate', { type: 'ClusterIP' }));
    await patch('reallocate', {
      spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false },
    });
    const without = await service('reallocate');
    expect(without.spec!.allocateLoadBalancerNodePorts).toBe(false);
    expect(without.spec!.ports![0].nodePort).toBeUndefined();
    const failed = await waitFor(
      async () => (await h.events('reallocate', { reason: 'SyncLoadBalancerFailed' }))[0],
      { timeoutMs: 60_000, message: 'SyncLoadBalancerFailed event' },
    );
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('allocateLoadBalancerNodePorts: false is not supported');
    expect((await service('reallocate')).status?.loadBalancer?.ingress ?? []).toEqual([]);

    await patch('reallocate', { spec: { allocateLoadBalancerNodePorts: true } });
    const withPorts = await service('reallocate');
    expect(withPorts.spec!.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
    await withIngress('reallocate');
    const lb = await lbAddress('reallocate');
    const [pod] = await pods('app=reallocate');
    expect(await answered(`http://${lb.text}/`)).toBe(pod.metadata!.name);
  });

  it.each([
    ['different nodes', 'worker-2'],
    ['the same node', 'worker-1'],
  ])(
    'should be able to preserve UDP traffic when server pod cycles for a LoadBalancer service on %s',
    async (_where, secondNode) => {
      const name = `udp-${secondNode}`;
      await h.apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name },
          spec: {
            type: 'LoadBalancer',
            selector: { app: name },
            ports: [{ name: 'udp', port: 80, targetPort: 80, protocol: 'UDP' }],
          },
        }),
      );
      const lb = await lbAddress(name, { protocol: 'UDP' });
      // No TCP nodePort to check: the LB checks kube-proxy's /healthz on every node.
      expect(lb.loadBalancer.healthCheck).toMatchObject({
        protocol: 'HTTP',
        port: h.nimbus.proxy.healthzPort(),
        path: '/healthz',
      });
      // One client flow (one source port) that keeps asking `hostname`, as upstream's.
      const flow = new UdpFlow(lb.address, lb.port);
      try {
        const serverPod = (pod: string, node: string) =>
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: pod, labels: { app: name } },
            spec: {
              nodeSelector: { 'kubernetes.io/hostname': node },
              containers: [
                { name: 'app', image: 'nginx', ports: [{ containerPort: 80, protocol: 'UDP' }] },
              ],
            },
          });
        const first = `${name}-1`;
        const second = `${name}-2`;
        await h.apply(serverPod(first, 'worker-1'));
        await h.waitForPod(first, isRunningAndReady, 'ready', 60_000);
        await waitFor(async () => (await flow.ask('hostname')) === first, {
          timeoutMs: 60_000,
          message: `the flow reaches ${first}`,
        });
        await h.apply(serverPod(second, secondNode));
        await h.waitForPod(second, isRunningAndReady, 'ready', 60_000);
        await h.k(['delete', 'pod', first]);
        await h.waitForPodGone(first);
        // The same flow (same source port) now reaches the second pod.
        await waitFor(async () => (await flow.ask('hostname')) === second, {
          timeoutMs: 60_000,
          message: `the same flow reaches ${second} after ${first} is gone`,
        });
      } finally {
        await flow.close();
      }
    },
  );

  it('should handle updates to ExternalTrafficPolicy field (Cluster → Local with a requested healthCheckNodePort)', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'esipp', labels: { app: 'esipp' } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': 'worker-3' },
          containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }],
        },
      }),
    );
    await h.waitForPod('esipp', isRunningAndReady, 'ready', 60_000);
    await h.apply(serviceManifest('esipp', { type: 'LoadBalancer' }));
    const lb = await lbAddress('esipp');
    const url = `http://${lb.text}/`;
    expect(await answered(url)).toBe('esipp');
    const svc = await service('esipp');
    expect(svc.spec!.healthCheckNodePort).toBeUndefined();
    const nodePort = svc.spec!.ports![0].nodePort!;
    const [w1, w3] = [await nodeAddress('worker-1'), await nodeAddress('worker-3')];
    expect(await answered(`http://${w1}:${nodePort}/`)).toBe('esipp');

    // Cluster → Local asking for a healthCheckNodePort (upstream reuses the one it had).
    const requested = nodePort === 32767 ? nodePort - 1 : nodePort + 1;
    await patch('esipp', {
      spec: { externalTrafficPolicy: 'Local', healthCheckNodePort: requested },
    });
    expect((await service('esipp')).spec!.healthCheckNodePort).toBe(requested);
    const health = await waitFor(
      () => httpGet(`http://${w3}:${requested}/healthz`).catch(() => undefined),
      { timeoutMs: 30_000, message: "worker-3's healthCheckNodePort open" },
    );
    expect(health.status).toBe(200);
    expect((await httpGet(`http://${w1}:${requested}/healthz`)).status).toBe(503);
    // Only the node with the endpoint forwards; the LB checks it and sends traffic there only.
    await refused(`http://${w1}:${nodePort}/`);
    const w3Instance = (await h.instance('worker-3')).id;
    await waitFor(
      async () => {
        const view = await h.cloud.loadBalancers.get(lb.loadBalancer.id);
        return (
          view.healthCheck.protocol === 'HTTP' &&
          view.healthCheck.port === requested &&
          view.backends.every((b) =>
            b.instanceId === w3Instance ? b.health === 'healthy' : b.health === 'unhealthy',
          )
        );
      },
      { timeoutMs: 90_000, message: 'only worker-3 healthy at the LB' },
    );
    for (let i = 0; i < 4; i++) {
      expect(await podAnswering(url)).toBe('esipp');
    }

    // And back: the healthCheckNodePort is released and every node forwards again.
    await patch('esipp', { spec: { externalTrafficPolicy: 'Cluster' } });
    expect((await service('esipp')).spec!.healthCheckNodePort).toBeUndefined();
    expect(await answered(`http://${w1}:${nodePort}/`)).toBe('esipp');
  });
});

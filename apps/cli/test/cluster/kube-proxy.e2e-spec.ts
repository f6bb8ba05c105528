import { Agent } from 'node:http';
import { hostAddressOf, hostPortOf } from '@app/common';
import type { NodeObject, PodObject, ServiceObject } from '@app/kube-client';
import { resolveLbAddress } from '../../src/lb-address/resolve-lb-address';
import { serviceReader } from '../../src/commands/lb-address.command';
import { ClusterHarness, waitFor } from './cluster-harness';
import { httpGet, podAnswering, udpAsk } from './traffic';

// Traffic through the whole architecture on loopback with real sockets: client → cloud load
// balancer → node:NodePort (kube-proxy) → pod (the kubelet's responder). Issue 11, scenario C25.
jest.setTimeout(300_000);

describe('kube-proxy: client → cloud LB → NodePort → pod', () => {
  let h: ClusterHarness;
  const agents: Agent[] = [];

  beforeAll(async () => {
    // A pod range of its own, so pod addresses (127.X.…) do not meet a concurrent test stack's.
    const second = 150 + Math.floor(Math.random() * 50);
    h = await ClusterHarness.start({
      up: { clusterCidr: `10.${second}.0.0/16`, proxyMetricsPort: '0' },
    });
  });

  afterAll(async () => {
    agents.forEach((a) => a.destroy());
    await h?.close();
  });

  const service = (name: string) => h.kJson<ServiceObject>(['get', 'svc', name]);
  const pods = async (selector: string) =>
    (await h.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', selector])).items;
  const nodeAddress = async (name: string) => {
    const node = await h.kJson<NodeObject>(['get', 'node', name]);
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return hostAddressOf(ip!)!;
  };
  const lbAddress = (name: string, protocol: 'TCP' | 'UDP' = 'TCP') =>
    resolveLbAddress(
      name,
      { waitMs: 60_000, protocol },
      {
        getLoadBalancer: (id) => h.cloud.loadBalancers.get(id),
        listLoadBalancers: () => h.cloud.loadBalancers.listAll(),
        getService: serviceReader(h.nimbus.kubeconfigPath),
      },
    );
  const rollout = async (name: string) =>
    expect(
      (await h.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=120s'])).code,
    ).toBe(0);

  it("the README story: a Deployment exposed as a LoadBalancer answers at the LB's host address, round robin across pods", async () => {
    // No --port: the pods declare nothing, yet (like nginx) answer where the Service sends them.
    await h.k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await rollout('web');
    await h.k(['expose', 'deployment', 'web', '--port=80', '--type=LoadBalancer']);
    const names = (await pods('app=web')).map((p) => p.metadata!.name!).sort();
    const lb = await lbAddress('web');
    // Every node's NodePort is a healthy backend (TCP check on the NodePort, kube-proxy answers).
    await waitFor(
      async () => {
        const view = await h.cloud.loadBalancers.get(lb.loadBalancer.id);
        return view.backends.length === 3 && view.backends.every((b) => b.health === 'healthy');
      },
      { timeoutMs: 60_000, message: 'LB backends healthy' },
    );
    const url = `http://${lb.text}/`;
    const first = await httpGet(url);
    expect(first.status).toBe(200);
    const answer = JSON.parse(first.body) as Record<string, unknown>;
    const pod = (await pods('app=web')).find((p) => p.metadata?.name === answer.pod)!;
    expect(answer).toMatchObject({
      namespace: 'default',
      node: pod.spec?.nodeName,
      podIP: pod.status?.podIP,
      port: 80,
      request: { method: 'GET', url: '/' },
    });
    expect(first.headers['x-nimbus-pod']).toBe(`default/${answer.pod as string}`);
    // Two levels of round robin (LB over 3 nodes, each node over 3 pods): 9 new connections
    // reach every pod exactly 3 times. The LB's TCP health probe of a NodePort also takes a turn
    // of that node's rotation (as upstream's userspace proxier picks an endpoint per accepted
    // connection), so a round a probe lands in is taken again, up to 3 rounds.
    const round = async () => {
      const seen: string[] = [];
      for (let i = 0; i < 9; i++) {
        seen.push(await podAnswering(url));
      }
      return names.map((name) => seen.filter((s) => s === name).length);
    };
    expect(await roundNoProbeHit(round, (counts) => counts.every((n) => n === 3))).toEqual([
      3, 3, 3,
    ]);
    // /hostname answers the pod name alone, as agnhost's netexec.
    expect(names).toContain((await httpGet(`http://${lb.text}/hostname`)).body);
  });

  it('a NodePort rotates over ready endpoints; sessionAffinity ClientIP pins a client; live connections survive endpoint changes', async () => {
    const svc = await service('web');
    const nodePort = svc.spec!.ports![0].nodePort!;
    const worker1 = await nodeAddress('worker-1');
    const url = `http://${worker1}:${nodePort}/`;
    // Three connections, three pods (a round an LB health probe lands in is taken again, above).
    const rotationSize = async () => {
      const rotation = new Set<string>();
      for (let i = 0; i < 3; i++) {
        rotation.add(await podAnswering(url));
      }
      return rotation.size;
    };
    expect(await roundNoProbeHit(rotationSize, (size) => size === 3)).toBe(3);

    // A keep-alive connection through the NodePort stays on its pod while endpoints change.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const pinned = await podAnswering(url, agent);
    await h.k(['scale', 'deployment/web', '--replicas=4']);
    await rollout('web');
    await waitFor(
      async () => {
        const count = new Set<string>();
        for (let i = 0; i < 8; i++) {
          count.add(await podAnswering(url));
        }
        return count.size === 4;
      },
      { timeoutMs: 30_000, message: 'the fourth pod in rotation' },
    );
    expect(await podAnswering(url, agent)).toBe(pinned);

    await h.k([
      'patch',
      'svc',
      'web',
      '-p',
      JSON.stringify({
        spec: {
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        },
      }),
    ]);
    await h.nimbus.proxy.flush();
    await waitFor(
      async () => {
        const answers = new Set<string>();
        for (let i = 0; i < 6; i++) {
          answers.add(await podAnswering(url));
        }
        return answers.size === 1;
      },
      { timeoutMs: 30_000, message: 'ClientIP affinity pins the client' },
    );
    agent.destroy();
  });

  it('a pod that turns unready leaves the rotation; kube-proxy metrics show the syncs', async () => {
    const [victim] = await pods('app=web');
    // Deleting a pod: it terminates (no longer ready) and its replacement joins.
    await h.k(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"None"}}']);
    await h.k(['delete', 'pod', victim.metadata!.name!, '--wait=false']);
    const nodePort = (await service('web')).spec!.ports![0].nodePort!;
    const url = `http://${await nodeAddress('worker-2')}:${nodePort}/`;
    await waitFor(
      async () => {
        for (let i = 0; i < 8; i++) {
          if ((await podAnswering(url)) === victim.metadata!.name) {
            return false;
          }
        }
        return true;
      },
      { timeoutMs: 30_000, message: 'the deleted pod out of rotation' },
    );
    const metrics = await (await fetch(`${h.nimbus.proxy.metricsUrl()!}/metrics`)).text();
    expect(metrics).toMatch(/^kubeproxy_sync_proxy_rules_last_timestamp_seconds \d+/m);
    expect(metrics).toMatch(/^kubeproxy_sync_proxy_rules_endpoint_changes_total [1-9]/m);
    expect(metrics).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/m);
  });

  it('C25: externalTrafficPolicy Local — healthCheckNodePort answers 200 only where the pod runs, and the cloud LB sends traffic there only', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'local' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'local' } },
          template: {
            metadata: { labels: { app: 'local' } },
            spec: {
              nodeSelector: { 'kubernetes.io/hostname': 'worker-1' },
              containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }],
            },
          },
        },
      }),
    );
    await rollout('local');
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'local' },
        spec: {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          selector: { app: 'local' },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      }),
    );
    const svc = await waitFor(
      async () => {
        const s = await service('local');
        return s.spec?.healthCheckNodePort ? s : undefined;
      },
      { message: 'healthCheckNodePort allocated' },
    );
    const hcnp = svc.spec!.healthCheckNodePort!;
    const [w1, w2] = [await nodeAddress('worker-1'), await nodeAddress('worker-2')];
    const healthy = await waitFor(
      async () => {
        const r = await httpGet(`http://${w1}:${hcnp}/healthz`).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, message: 'worker-1 healthCheckNodePort 200' },
    );
    expect(healthy.headers['content-type']).toBe('application/json');
    expect(healthy.headers['x-content-type-options']).toBe('nosniff');
    expect(healthy.headers['x-load-balancing-endpoint-weight']).toBe('1');
    expect(healthy.body).toBe(
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "local"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}',
    );
    const unhealthy = await httpGet(`http://${w2}:${hcnp}/any/path`);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.headers['x-load-balancing-endpoint-weight']).toBe('0');
    expect(JSON.parse(unhealthy.body)).toEqual({
      service: { namespace: 'default', name: 'local' },
      localEndpoints: 0,
      serviceProxyHealthy: true,
    });

    // The NodePort of a node without the pod refuses; worker-1's forwards.
    const nodePort = svc.spec!.ports![0].nodePort!;
    const [pod] = await pods('app=local');
    expect(await podAnswering(`http://${w1}:${nodePort}/`)).toBe(pod.metadata!.name);
    await expect(httpGet(`http://${w2}:${nodePort}/`)).rejects.toThrow();

    // The CCM's LB health check (HTTP on the healthCheckNodePort) marks only worker-1 healthy.
    const lb = await lbAddress('local');
    const w1Instance = (await h.instance('worker-1')).id;
    await waitFor(
      async () => {
        const view = await h.cloud.loadBalancers.get(lb.loadBalancer.id);
        return (
          view.backends.length === 3 &&
          view.backends.every((b) =>
            b.instanceId === w1Instance ? b.health === 'healthy' : b.health === 'unhealthy',
          )
        );
      },
      { timeoutMs: 90_000, message: 'only worker-1 healthy at the LB' },
    );
    for (let i = 0; i < 4; i++) {
      expect(await podAnswering(`http://${lb.text}/`)).toBe(pod.metadata!.name);
    }
    // The pod itself answers on its own address and declared port.
    expect(
      await podAnswering(`http://${hostAddressOf(pod.status!.podIP!)}:${hostPortOf(8080)}/`),
    ).toBe(pod.metadata!.name);
  });

  it('externalTrafficPolicy Local → Cluster: the healthCheckNodePort goes away and every node forwards again', async () => {
    const before = await service('local');
    const hcnp = before.spec!.healthCheckNodePort!;
    await h.k(['patch', 'svc', 'local', '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}']);
    const after = await service('local');
    expect(after.spec?.healthCheckNodePort).toBeUndefined();
    const w2 = await nodeAddress('worker-2');
    const [pod] = await pods('app=local');
    const nodePort = after.spec!.ports![0].nodePort!;
    expect(
      await waitFor(() => podAnswering(`http://${w2}:${nodePort}/`).catch(() => undefined), {
        timeoutMs: 30_000,
        message: "worker-2's NodePort forwarding to the pod on worker-1",
      }),
    ).toBe(pod.metadata!.name);
    await waitFor(
      async () =>
        (await httpGet(`http://${w2}:${hcnp}/healthz`).then(
          () => false,
          () => true,
        )) || undefined,
      { timeoutMs: 30_000, message: 'the healthCheckNodePort closed' },
    );
    // The CCM switches the LB's check to TCP on the NodePort: every node turns healthy.
    const lb = await lbAddress('local');
    await waitFor(
      async () => {
        const view = await h.cloud.loadBalancers.get(lb.loadBalancer.id);
        return (
          view.healthCheck.protocol === 'TCP' &&
          view.backends.length === 3 &&
          view.backends.every((b) => b.health === 'healthy')
        );
      },
      { timeoutMs: 90_000, message: 'every node healthy at the LB' },
    );
  });

  it("internalTrafficPolicy Local: a ClusterIP client on a node (its address or a pod address of it) reaches only that node's endpoints; none there → refused", async () => {
    // The `local` Deployment's one pod runs on worker-1.
    const [pod] = await pods('app=local');
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'internal' },
        spec: {
          selector: { app: 'local' },
          internalTrafficPolicy: 'Local',
          ports: [{ port: 80, targetPort: 8080 }],
        },
      }),
    );
    const svc = await service('internal');
    const url = `http://${hostAddressOf(svc.spec!.clusterIP!)}:${hostPortOf(80)}/`;
    const node2 = await h.kJson<NodeObject>(['get', 'node', 'worker-2']);
    // An address of worker-2's pod range (no pod needs to hold it to dial from it).
    const worker2Pod = hostAddressOf(node2.spec!.podCIDR!.replace(/\.0\/\d+$/, '.250'))!;
    const [w1, w2] = [await nodeAddress('worker-1'), await nodeAddress('worker-2')];
    const from = async (localAddress: string) => {
      const answer = await httpGet(url, undefined, localAddress);
      return (JSON.parse(answer.body) as { pod: string }).pod;
    };
    const refused = (localAddress: string) =>
      httpGet(url, undefined, localAddress).then(
        () => false,
        () => true,
      );
    const own = hostAddressOf(pod.status!.podIP!)!;
    expect(
      await waitFor(() => from(w1).catch(() => undefined), {
        timeoutMs: 30_000,
        message: 'the ClusterIP serving worker-1',
      }),
    ).toBe(pod.metadata!.name);
    expect(await from(own)).toBe(pod.metadata!.name);
    expect(await refused(w2)).toBe(true);
    expect(await refused(worker2Pod)).toBe(true);
    // Not a cluster address: no node to be local to, every endpoint.
    expect(await from('127.0.0.1')).toBe(pod.metadata!.name);
    const metrics = await (await fetch(`${h.nimbus.proxy.metricsUrl()!}/metrics`)).text();
    expect(metrics).toMatch(
      /^kubeproxy_sync_proxy_rules_no_local_endpoints_total\{traffic_policy="internal"\} 2$/m,
    );

    await h.k(['patch', 'svc', 'internal', '-p', '{"spec":{"internalTrafficPolicy":"Cluster"}}']);
    expect(
      await waitFor(() => from(w2).catch(() => undefined), {
        timeoutMs: 30_000,
        message: 'worker-2 clients reach the pod on worker-1 with Cluster',
      }),
    ).toBe(pod.metadata!.name);
    expect(await from(worker2Pod)).toBe(pod.metadata!.name);
  });

  it('UDP: a UDP Service port reaches the pod through the LB and the NodePort (echo, and `hostname`)', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'dns', labels: { app: 'dns' } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx', ports: [{ containerPort: 5353, protocol: 'UDP' }] },
          ],
        },
      }),
    );
    await h.waitForPod(
      'dns',
      (p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      'ready',
      60_000,
    );
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'dns' },
        spec: {
          type: 'NodePort',
          selector: { app: 'dns' },
          ports: [{ name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }],
        },
      }),
    );
    const nodePort = (await service('dns')).spec!.ports![0].nodePort!;
    const w3 = await nodeAddress('worker-3');
    const reply = await waitFor(
      () => udpAsk(w3, nodePort, 'hello over udp').catch(() => undefined),
      { timeoutMs: 30_000, message: 'UDP echo through the NodePort' },
    );
    expect(reply).toBe('hello over udp');
    expect(await udpAsk(w3, nodePort, 'hostname')).toBe('dns');
  });
});

/**
 * Runs `round` up to 3 times until `ok` holds and returns the last result: an LB health probe that
 * lands inside a round takes a turn of a NodePort's rotation, and a round without one is wanted.
 */
async function roundNoProbeHit<T>(round: () => Promise<T>, ok: (result: T) => boolean): Promise<T> {
  let result = await round();
  for (let again = 0; again < 2 && !ok(result); again++) {
    result = await round();
  }
  return result;
}

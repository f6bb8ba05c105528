import type { InstanceDto } from '@app/cloud-contracts';
import { CcmHarness, SHUTDOWN_TAINT, hasTaint, holdsFor, waitFor } from '../harness';
import { createLbService, waitForIngress } from '../service-e2e';
import {
  ADOPTION_COMPONENT,
  adoptionFlags,
  waitForBackends,
  expectAdoptedAndInitialised,
  kubectl,
  waitForInitialised,
  waitForRouteCreated,
} from './adoption-checks';
import { registerNode, setReady } from './kubelet-registration';
import { kindNodes } from './local-cluster-nodes';

jest.setTimeout(120_000);

/*
 * The kind recipe (docs/real-clusters.md) simulated on the built-in api-server: a kind cluster
 * created with `cloud-provider: external`, its nodes registered exactly as kind's kubelets do
 * (kind:// providerIDs, container IPs as --node-ip, control-plane taint and exclusion label), and
 * `nimbus ccm --adopt-nodes --cluster-name kind --cluster-cidr 10.244.0.0/16` run against it.
 */
describe('kind cluster with the Nimbus CCM (--adopt-nodes)', () => {
  let h: CcmHarness;
  const nodes = kindNodes();
  const instances = new Map<string, InstanceDto>();

  beforeAll(async () => {
    h = await CcmHarness.start();
    for (const node of nodes) {
      await registerNode(h, node);
    }
    await h.startCcm(adoptionFlags('kind', '10.244.0.0/16'));
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should adopt and initialise every node, keeping kind’s providerIDs', async () => {
    for (const spec of nodes) {
      const node = await waitForInitialised(h, spec.name);
      instances.set(spec.name, await expectAdoptedAndInitialised(h, spec, node, 'kind'));
      expect(node.spec?.providerID).toBe(`kind://docker/kind/${spec.name}`);
    }
    expect(instances.get('kind-worker')?.labels).toMatchObject({
      'nimbus.dev/node-provider': 'kind',
    });
    const imported = await h.events({ reason: 'InstanceImported', component: ADOPTION_COMPONENT });
    expect(imported.map((e) => e.involvedObject.name).sort()).toEqual(
      nodes.map((n) => n.name).sort(),
    );
    expect(imported.find((e) => e.involvedObject.name === 'kind-worker')?.message).toBe(
      `Imported node kind-worker into the cloud as instance ${instances.get('kind-worker')!.id} (InternalIP 172.18.0.2, zone nimbus-1a, type nb.small)`,
    );
    await waitFor(
      async () =>
        (await h.events({ reason: 'Synced', component: 'cloud-node-controller' })).length ===
        nodes.length,
      { timeoutMs: 60_000, message: 'Synced for every node' },
    );
  });

  it('should show the real node IPs in kubectl get nodes -o wide', async () => {
    const out = await kubectl(h, 'get', 'nodes', '-o', 'wide');
    for (const spec of nodes) {
      expect(out).toMatch(
        new RegExp(`^${spec.name}\\s.*\\s${spec.nodeIP.replace(/\./g, '\\.')}\\s`, 'm'),
      );
    }
  });

  it('should route every node’s pod CIDR to its imported instance', async () => {
    const network = await h.cloud.networks.getDefault();
    for (const spec of nodes) {
      await waitForRouteCreated(h, spec.name);
    }
    const routes = [];
    for await (const route of h.cloud.routes.listAll(network.id)) {
      routes.push(route);
    }
    for (const spec of nodes) {
      const route = routes.find((r) => r.destinationCidr === spec.podCIDR);
      expect(route?.nextHop).toMatchObject({
        instanceId: instances.get(spec.name)!.id,
        ip: spec.nodeIP,
      });
    }
  });

  it('should give a LoadBalancer Service an ingress IP with the workers as backends', async () => {
    await createLbService(h, 'web');
    const svc = await waitForIngress(h, 'web', 60_000);
    const ip = svc.status!.loadBalancer!.ingress![0].ip!;
    expect(ip).toMatch(/^203\.0\.113\.\d+$/);
    const nodePort = svc.spec!.ports![0].nodePort!;
    // What the kind user sees.
    const out = await kubectl(h, 'get', 'svc', 'web');
    expect(out).toMatch(
      new RegExp(
        `^web\\s+LoadBalancer\\s+\\S+\\s+${ip.replace(/\./g, '\\.')}\\s+80:${nodePort}/TCP`,
        'm',
      ),
    );
    // The control plane keeps kubeadm's exclusion label in a multi-node kind cluster.
    const lb = await waitForBackends(h, svc, 2);
    expect(lb.backends.map((b) => [b.ip, b.endpoints[0].port]).sort()).toEqual([
      ['172.18.0.2', nodePort],
      ['172.18.0.3', nodePort],
    ]);
  });

  it('should taint a stopped kind node shutdown instead of deleting it, and untaint it when back', async () => {
    // kind-worker2 registered NotReady (CNI starting): tainted shutdown, never deleted, until Ready.
    await waitFor(async () => hasTaint(await h.getNode('kind-worker2'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint on the NotReady kind-worker2',
    });
    await setReady(h, 'kind-worker2', 'True');
    await waitFor(async () => !hasTaint(await h.getNode('kind-worker2'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint removed once Ready',
    });

    // `docker stop kind-worker`: KCM marks it Unknown.
    await setReady(h, 'kind-worker', 'Unknown');
    await waitFor(async () => hasTaint(await h.getNode('kind-worker'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint on kind-worker',
    });
    await holdsFor(
      async () => (await h.getNode('kind-worker')) !== undefined,
      1500,
      'kind-worker is not deleted',
    );
    expect(await h.events({ reason: 'DeletingNode' })).toEqual([]);
    // `docker start kind-worker`
    await setReady(h, 'kind-worker', 'True');
    await waitFor(async () => !hasTaint(await h.getNode('kind-worker'), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint removed from kind-worker',
    });
    expect((await h.cloud.instances.get(instances.get('kind-worker')!.id)).state).toBe('running');
  });
});

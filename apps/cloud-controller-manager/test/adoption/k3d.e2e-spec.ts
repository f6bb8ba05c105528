import { CcmHarness, UNINITIALIZED_TAINT, hasTaint, waitFor } from '../harness';
import { createLbService, waitForIngress } from '../service-e2e';
import {
  ADOPTION_COMPONENT,
  adoptionFlags,
  waitForBackends,
  expectAdoptedAndInitialised,
  importedInstance,
  waitForInitialised,
  waitForRouteCreated,
} from './adoption-checks';
import { registerNode } from './kubelet-registration';
import { k3dNodes, migratedK3sNode } from './local-cluster-nodes';

jest.setTimeout(120_000);

/*
 * The k3s/k3d recipe (docs/real-clusters.md) simulated on the built-in api-server: a k3d cluster
 * created with `--disable-cloud-controller`, `--disable=servicelb` and
 * `--kubelet-arg=cloud-provider=external`, plus one node of an older k3s cluster that ran k3s's
 * own CCM (k3s:// providerID, already initialised), with `nimbus ccm --adopt-nodes
 * --cluster-name k3d-nimbus --cluster-cidr 10.42.0.0/16`.
 */
describe('k3d cluster with the Nimbus CCM (--adopt-nodes)', () => {
  let h: CcmHarness;
  const fresh = k3dNodes();
  const migrated = migratedK3sNode();

  beforeAll(async () => {
    h = await CcmHarness.start();
    for (const node of [...fresh, migrated]) {
      await registerNode(h, node);
    }
    await h.startCcm({
      ...adoptionFlags('k3d-nimbus', '10.42.0.0/16'),
      adoptInstanceType: 'nb.medium',
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should adopt and initialise the server and the agent', async () => {
    for (const spec of fresh) {
      const node = await waitForInitialised(h, spec.name);
      const instance = await expectAdoptedAndInitialised(h, spec, node, 'k3d-nimbus');
      expect(instance.instanceType).toBe('nb.medium'); // --adopt-instance-type
      expect(node.spec?.providerID).toBe(instance.providerId);
      // k3s's own labels and annotations stay.
      expect(node.metadata?.labels?.['node-role.kubernetes.io/control-plane']).toBe(
        spec.labels['node-role.kubernetes.io/control-plane'],
      );
      expect(node.metadata?.annotations?.['k3s.io/node-args']).toBe(
        spec.annotations!['k3s.io/node-args'],
      );
    }
  });

  it('should import the node k3s’s CCM had initialised, keeping its k3s:// providerID and labels', async () => {
    const instance = await waitFor(
      async () =>
        (await h.cloud.instances.findByName(migrated.name)).find((i) => i.state === 'running'),
      { timeoutMs: 60_000, message: 'the migrated k3s node imported' },
    );
    expect(instance).toMatchObject({
      imported: true,
      privateIp: migrated.nodeIP,
      labels: { 'nimbus.dev/node-provider': 'k3s' },
    });
    const [event] = await h.events({
      reason: 'InstanceImported',
      component: ADOPTION_COMPONENT,
      involvedName: migrated.name,
    });
    expect(event?.message).toContain(instance.id);
    const node = await h.getNode(migrated.name);
    expect(node?.spec?.providerID).toBe(`k3s://${migrated.name}`);
    expect(hasTaint(node, UNINITIALIZED_TAINT)).toBe(false);
    // Initialised nodes are never relabelled by the node controller (upstream behaviour).
    expect(node?.metadata?.labels?.['node.kubernetes.io/instance-type']).toBe('k3s');
  });

  it('should route the pod CIDRs of all three nodes', async () => {
    for (const spec of [...fresh, migrated]) {
      await waitForRouteCreated(h, spec.name);
    }
  });

  it('should serve a LoadBalancer Service from every k3s node (servicelb disabled)', async () => {
    await createLbService(h, 'web', {
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
      ],
    });
    const svc = await waitForIngress(h, 'web', 60_000);
    const lb = await waitForBackends(h, svc, 3);
    expect(lb.backends.map((b) => b.ip).sort()).toEqual(['172.19.0.2', '172.19.0.3', '172.19.0.5']);
    expect(lb.listeners.map((l) => l.protocol).sort()).toEqual(['TCP', 'UDP']);
    expect((await importedInstance(h, migrated.name)).imported).toBe(true);
  });
});

import { CcmHarness } from '../harness';
import {
  cloudLb,
  createLbService,
  serviceEvents,
  waitForEvent,
  waitForIngress,
} from '../service-e2e';
import {
  adoptionFlags,
  waitForBackends,
  expectAdoptedAndInitialised,
  waitForInitialised,
  waitForRouteCreated,
} from './adoption-checks';
import { EXCLUDE_FROM_LB, registerNode } from './kubelet-registration';
import { minikubeNodes } from './local-cluster-nodes';

jest.setTimeout(120_000);

/*
 * The minikube recipe (docs/real-clusters.md) simulated on the built-in api-server:
 * `minikube start --extra-config=kubelet.cloud-provider=external` (docker driver), then
 * `minikube node add`, with `nimbus ccm --adopt-nodes --cluster-name minikube
 * --cluster-cidr 10.244.0.0/16` — and no `minikube tunnel`, which would fight over the ingress.
 */
describe('minikube cluster with the Nimbus CCM (--adopt-nodes)', () => {
  let h: CcmHarness;
  const [primary, second] = minikubeNodes();

  beforeAll(async () => {
    h = await CcmHarness.start();
    await registerNode(h, primary);
    await h.startCcm(adoptionFlags('minikube', '10.244.0.0/16'));
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should adopt and initialise the minikube node, giving it the instance’s providerID', async () => {
    const node = await waitForInitialised(h, 'minikube');
    const instance = await expectAdoptedAndInitialised(h, primary, node, 'minikube');
    expect(node.spec?.providerID).toBe(`nimbus://default/nimbus-1a/${instance.id}`);
    expect(instance.labels).toMatchObject({ 'nimbus.dev/node-provider': 'none' });
    await waitForRouteCreated(h, 'minikube');
  });

  it('should find no backend while kubeadm’s exclusion label is on the only node, then use it once removed', async () => {
    await createLbService(h, 'web');
    const svc = await waitForIngress(h, 'web', 60_000);
    expect(svc.status?.loadBalancer?.ingress?.[0].ip).toMatch(/^203\.0\.113\.\d+$/);
    const warning = await waitForEvent(h, 'web', 'UnAvailableLoadBalancer', { timeoutMs: 60_000 });
    expect(warning).toMatchObject({
      type: 'Warning',
      message: 'There are no available nodes for LoadBalancer',
    });
    expect((await cloudLb(h, svc))?.backends).toEqual([]);

    // The recipe: kubectl label node minikube node.kubernetes.io/exclude-from-external-load-balancers-
    await h.patchNode('minikube', { metadata: { labels: { [EXCLUDE_FROM_LB]: null } } });
    const lb = await waitForBackends(h, svc, 1);
    expect(lb.backends[0].ip).toBe('192.168.49.2');
    expect((await serviceEvents(h, 'web', 'UpdatedLoadBalancer')).length).toBeGreaterThan(0);
  });

  it('should adopt a node added later (minikube node add) and put it behind the load balancer', async () => {
    await registerNode(h, second);
    const node = await waitForInitialised(h, 'minikube-m02');
    await expectAdoptedAndInitialised(h, second, node, 'minikube');
    await waitForRouteCreated(h, 'minikube-m02');
    const svc = await waitForIngress(h, 'web', 60_000);
    const lb = await waitForBackends(h, svc, 2);
    expect(lb.backends.map((b) => b.ip).sort()).toEqual(['192.168.49.2', '192.168.49.3']);
  });
});

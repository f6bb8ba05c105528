import { KubeClient } from '@app/kube-client';
import { CLOUD_TOKEN, CcmHarness, SHUTDOWN_TAINT, hasTaint, waitFor } from './harness';
import { injectCloudFault } from './service-e2e';
import { OverridableCloud } from './overridable-cloud';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

/**
 * The built-in api-server has no RBAC, so L4's forbidden delete is simulated: the CCM's client
 * answers deletes of chosen nodes with the 403 Status a real api-server sends without the RBAC.
 */
class RefusingKubeClient extends KubeClient {
  readonly forbidden = new Set<string>();
  constructor(...args: ConstructorParameters<typeof KubeClient>) {
    super(...args);
    const realDelete = this.nodes.delete.bind(this.nodes);
    this.nodes.delete = async (name: string) => {
      if (this.forbidden.has(name)) {
        const message = `nodes "${name}" is forbidden: User "system:cloud-controller-manager" cannot delete resource "nodes" in API group "" at the cluster scope`;
        throw Object.assign(new Error(`HTTP-Code: 403 Message: ${message}`), {
          code: 403,
          body: JSON.stringify({
            kind: 'Status',
            status: 'Failure',
            message,
            reason: 'Forbidden',
            code: 403,
          }),
        });
      }
      return realDelete(name);
    };
  }
}

// ccm-behaviour §5 and §14 (L1–L4).
describe('cloud node lifecycle controller (e2e)', () => {
  let h: CcmHarness;
  let cloud: OverridableCloud;
  let kube: RefusingKubeClient;

  beforeAll(async () => {
    h = await CcmHarness.start();
    cloud = OverridableCloud.create(h.cloudApi.url, CLOUD_TOKEN);
    kube = new RefusingKubeClient(h.kubeConfig);
    await h.startCcm({ controllers: 'cloud-node-lifecycle' }, { cloud, kube });
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A node registered for a fresh instance, with its providerID, as after initialisation. */
  const nodeWithInstance = async (name: string, ready: 'True' | 'False' | 'Unknown') => {
    const instance = await h.createInstance(name);
    await h.createNode(name, { tainted: false, providerID: instance.providerId, ready });
    return instance;
  };
  /** How often the controller asked the cloud about a node (each pass asks at least once). */
  const checks = (name: string) => cloud.lifecycleCalls.filter((n) => n === name).length;
  const lifecycleEvents = (name: string, reason: string) =>
    h.events({ reason, component: 'cloud-node-lifecycle-controller', involvedName: name });

  it('L1: leaves a Ready node alone (no cloud call) even when its instance is gone; NotReady → DeletingNode + delete', async () => {
    const instance = await nodeWithInstance('l1', 'True');
    await h.cloud.instances.terminate(instance.id);
    // A NotReady sentinel registered after l1 is checked in a pass that also covered l1.
    await nodeWithInstance('l1-sentinel', 'False');
    await waitFor(() => checks('l1-sentinel') >= 2, { message: 'two passes over the nodes' });
    expect(await h.getNode('l1')).toBeDefined();
    expect(cloud.lifecycleCalls).not.toContain('l1');
    await h.core.deleteNode({ name: 'l1-sentinel' });
    await h.setReady('l1', 'False');
    await waitFor(async () => (await h.getNode('l1')) === undefined, { message: 'l1 deleted' });
    const [event] = await waitFor(async () => {
      const events = await lifecycleEvents('l1', 'DeletingNode');
      return events.length > 0 && events;
    });
    expect(event).toMatchObject({
      type: 'Normal',
      message: 'Deleting node l1 because it does not exist in the cloud provider',
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'l1' },
    });
  });

  it('L1: an Unknown Ready condition counts as NotReady', async () => {
    const instance = await nodeWithInstance('l1u', 'Unknown');
    await h.cloud.instances.terminate(instance.id);
    await waitFor(async () => (await h.getNode('l1u')) === undefined, { message: 'l1u deleted' });
  });

  it('L2: taints a NotReady node whose instance is stopped; the taint goes when Ready again', async () => {
    const instance = await nodeWithInstance('l2', 'False');
    await h.cloud.instances.stop(instance.id);
    const tainted = await waitFor(
      async () => {
        const n = await h.getNode('l2');
        return hasTaint(n, SHUTDOWN_TAINT) && n;
      },
      { message: 'shutdown taint added' },
    );
    expect(tainted.spec?.taints).toContainEqual({ key: SHUTDOWN_TAINT, effect: 'NoSchedule' });
    await h.setReady('l2', 'True');
    await waitFor(async () => !hasTaint(await h.getNode('l2'), SHUTDOWN_TAINT), {
      message: 'shutdown taint removed',
    });
    expect(await h.getNode('l2')).toBeDefined();
  });

  it('L3: neither deletes nor taints a node when InstanceExists errors', async () => {
    const instance = await nodeWithInstance('l3', 'False');
    cloud.failures.set('l3', new Error('cloud API unavailable'));
    await h.cloud.instances.terminate(instance.id);
    // Two monitor passes failed on l3 before we look.
    await waitFor(() => checks('l3') >= 3, { message: 'l3 checked twice' });
    const l3 = await h.getNode('l3');
    expect(l3).toBeDefined();
    expect(hasTaint(l3, SHUTDOWN_TAINT)).toBe(false);
    expect(await lifecycleEvents('l3', 'DeletingNode')).toEqual([]);
  });

  it('L3 (cloud fault injection): an injected error on the instance lookup neither deletes nor taints', async () => {
    const instance = await nodeWithInstance('l3f', 'False');
    const clear = await injectCloudFault(h, {
      description: 'L3: looking up the instance of node l3f fails',
      match: { operation: 'instances.get', resourceId: instance.id },
      // 403 is not retried by the cloud client, so each check fails at once.
      effect: { type: 'error', status: 403, message: 'injected InstanceExists failure' },
    });
    try {
      await h.cloud.instances.terminate(instance.id);
      await waitFor(() => checks('l3f') >= 3, { message: 'l3f checked twice' });
      const l3f = await h.getNode('l3f');
      expect(l3f).toBeDefined();
      expect(hasTaint(l3f, SHUTDOWN_TAINT)).toBe(false);
      expect(await lifecycleEvents('l3f', 'DeletingNode')).toEqual([]);
    } finally {
      await clear();
    }
    // Once the fault is gone the terminated instance is seen, and the NotReady node goes.
    await waitFor(async () => (await h.getNode('l3f')) === undefined, { message: 'l3f deleted' });
  });

  it('L4: a forbidden delete records DeletingNodeFailed', async () => {
    kube.forbidden.add('l4');
    const instance = await nodeWithInstance('l4', 'False');
    await h.cloud.instances.terminate(instance.id);
    const [failed] = await waitFor(async () => {
      const events = await lifecycleEvents('l4', 'DeletingNodeFailed');
      return events.length > 0 && events;
    });
    expect(failed).toMatchObject({
      type: 'Warning',
      message:
        'Failed deleting node l4: nodes "l4" is forbidden: User "system:cloud-controller-manager" cannot delete resource "nodes" in API group "" at the cluster scope',
    });
    expect(await h.getNode('l4')).toBeDefined();
  });
});

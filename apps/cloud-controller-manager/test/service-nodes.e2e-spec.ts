import type { V1Service } from '@app/kube-client';
import { CcmHarness, holdsFor, waitFor } from './harness';
import {
  cloudLb,
  createLbService,
  injectCloudFault,
  serviceEvents,
  waitForEvent,
  waitForIngress,
} from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers';
let h: CcmHarness;
const instances = new Map<string, string>();

async function addNode(name: string, labels?: Record<string, string>): Promise<void> {
  instances.set(name, (await h.createInstance(name)).id);
  await h.createNode(name, { tainted: false, ready: 'True', labels });
}

async function backendNodes(svc: V1Service): Promise<string[]> {
  const lb = await cloudLb(h, svc);
  const byId = new Map([...instances].map(([node, id]) => [id, node]));
  return (lb?.backends ?? []).map((b) => byId.get(b.instanceId) ?? b.instanceId).sort();
}

const waitForBackends = (svc: V1Service, nodes: string[], message: string) =>
  waitFor(
    async () => JSON.stringify(await backendNodes(svc)) === JSON.stringify([...nodes].sort()),
    { message: `${message}: backends ${nodes.join(',')}` },
  );

const count = async (name: string, reason: string) =>
  (await serviceEvents(h, name, reason))[0]?.count ?? 0;

beforeAll(async () => {
  h = await CcmHarness.start();
  await addNode('nd-1');
  await addNode('nd-2');
  await h.startCcm({ controllers: 'service' });
});
afterAll(() => h.close());

describe('service controller and nodes', () => {
  it('S9: adding a node updates the LB hosts (UpdatedLoadBalancer)', async () => {
    const svc = await createLbService(h, 's9');
    await waitForIngress(h, 's9');
    await waitForBackends(svc, ['nd-1', 'nd-2'], 'initial');
    await addNode('nd-3');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'after adding nd-3');
    const updated = await waitForEvent(h, 's9', 'UpdatedLoadBalancer');
    expect(updated.message).toBe('Updated load balancer with new hosts');
    expect(updated.type).toBe('Normal');
  });

  it('S10: the exclusion label removes a node ("true" and "" exclude, "false" includes)', async () => {
    const svc = await createLbService(h, 's10');
    await waitForIngress(h, 's10');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'initial');
    await h.patchNode('nd-3', { metadata: { labels: { [EXCLUDE]: 'true' } } });
    await waitForBackends(svc, ['nd-1', 'nd-2'], 'excluded by "true"');
    await h.patchNode('nd-3', { metadata: { labels: { [EXCLUDE]: 'false' } } });
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'included by "false"');
    await h.patchNode('nd-3', { metadata: { labels: { [EXCLUDE]: '' } } });
    await waitForBackends(svc, ['nd-1', 'nd-2'], 'excluded by ""');
    await h.patchNode('nd-3', { metadata: { labels: { [EXCLUDE]: null } } });
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'label removed');
  });

  it('S11: a NotReady node stays a backend', async () => {
    const svc = await createLbService(h, 's11');
    await waitForIngress(h, 's11');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'initial');
    await h.setReady('nd-2', 'False');
    // Readiness alone triggers no host update; a node joining does. That sync comes after the
    // informer delivered nd-2's NotReady status, so the hosts it hands over prove nd-2 stays.
    await addNode('nd-s11');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3', 'nd-s11'], 'after the next node sync');
    await h.setReady('nd-2', 'True');
    await h.core.deleteNode({ name: 'nd-s11' });
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'nd-s11 gone again');
  });

  it('S12: a ToBeDeletedByClusterAutoscaler taint changes nothing until the next node-set sync', async () => {
    const svc = await createLbService(h, 's12');
    await waitForIngress(h, 's12');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3'], 'initial');
    await h.patchNode('nd-3', {
      spec: {
        taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }],
      },
    });
    await holdsFor(
      async () =>
        JSON.stringify(await backendNodes(svc)) === JSON.stringify(['nd-1', 'nd-2', 'nd-3']),
      1_000,
      'no immediate change',
    );
    await addNode('nd-4');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-4'], 'nd-3 dropped at the next sync');
    await h.patchNode('nd-3', { spec: { taints: [] } });
  });

  it('S13: with every node excluded, UnAvailableLoadBalancer is recorded and the LB stays', async () => {
    const svc = await createLbService(h, 's13');
    await waitForIngress(h, 's13');
    for (const n of ['nd-1', 'nd-2', 'nd-3', 'nd-4']) {
      await h.patchNode(n, { metadata: { labels: { [EXCLUDE]: 'true' } } });
    }
    const warning = await waitForEvent(h, 's13', 'UnAvailableLoadBalancer');
    expect(warning.type).toBe('Warning');
    expect(warning.message).toBe('There are no available nodes for LoadBalancer');
    await waitForBackends(svc, [], 'no backends');
    expect((await cloudLb(h, svc))?.state).toBe('active');
    for (const n of ['nd-1', 'nd-2', 'nd-3', 'nd-4']) {
      await h.patchNode(n, { metadata: { labels: { [EXCLUDE]: null } } });
    }
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3', 'nd-4'], 'restored');
  });

  it('S14: a failing UpdateLoadBalancer records UpdateLoadBalancerFailed, then a full Ensure', async () => {
    const svc = await createLbService(h, 's14');
    await waitForIngress(h, 's14');
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3', 'nd-4'], 'initial');
    const ensured = await count('s14', 'EnsuredLoadBalancer');
    // Cloud fault injection: adding backends fails (UpdateLoadBalancer); the full Ensure's PUT works.
    const clear = await injectCloudFault(h, {
      description: 'S14: backends:add fails',
      match: { operation: 'loadBalancers.backends.add' },
      effect: { type: 'error', status: 403, message: 'injected: backends API unavailable' },
    });
    await addNode('nd-5');
    const failed = await waitForEvent(h, 's14', 'UpdateLoadBalancerFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toMatch(
      /^Error updating load balancer with new hosts \[nd-1 nd-2 nd-3 nd-4 nd-5\] \[node names limited, total number of nodes: 5\], error: .*injected: backends API unavailable/,
    );
    await waitFor(async () => (await count('s14', 'EnsuredLoadBalancer')) > ensured, {
      message: 'a full Ensure after the failed update',
    });
    await waitForBackends(svc, ['nd-1', 'nd-2', 'nd-3', 'nd-4', 'nd-5'], 'hosts via Ensure');
    await clear();
  });
});

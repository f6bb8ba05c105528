import { FakeInformer, ManualScheduler, type KubeObject } from '@app/controller-runtime';
import { parseClusterCidrs } from './cluster-cidrs';
import { routeRelevantChange } from './node-change-trigger';
import { RouteController } from './route-controller';
import type { RouteNode } from './route-types';
import { FakeConditionWriter, FakeRecorder, FakeRoutes, node } from './testing/route-fakes';

type Node = RouteNode & KubeObject;

describe('routeRelevantChange', () => {
  const a = node('a', ['10.244.1.0/24']);

  it('should fire on pod CIDR and address changes and on resyncs only', () => {
    expect(routeRelevantChange(a, a)).toBe(true);
    expect(routeRelevantChange(a, { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } })).toBe(
      false,
    );
    expect(routeRelevantChange(a, { ...a, spec: { podCIDRs: ['10.244.2.0/24'] } })).toBe(true);
    expect(
      routeRelevantChange(a, {
        ...a,
        status: { addresses: [{ type: 'InternalIP', address: '10.9.9.9' }] },
      }),
    ).toBe(true);
  });
});

describe('RouteController in watch-based mode', () => {
  async function setup() {
    const scheduler = new ManualScheduler();
    const informer = new FakeInformer<Node>();
    const routes = new FakeRoutes();
    const controller = new RouteController({
      routes,
      nodes: informer,
      conditions: new FakeConditionWriter(),
      recorder: new FakeRecorder(),
      clusterName: 'kubernetes',
      clusterCidrs: parseClusterCidrs('10.244.0.0/16'),
      scheduler,
      watchNodes: informer,
    });
    informer.markSynced();
    const start = controller.start();
    await scheduler.advance(0);
    await start;
    await scheduler.advance(0);
    return { scheduler, informer, routes, controller };
  }

  it('should reconcile on a node add at once, then at most once per 10 s', async () => {
    const env = await setup();
    env.informer.add(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(0);
    expect(env.routes.created.map((c) => c.route.targetNode)).toEqual(['a']);

    env.informer.add(node('b', ['10.244.2.0/24']));
    env.informer.add(node('c', ['10.244.3.0/24']));
    await env.scheduler.advance(9_999);
    expect(env.routes.created).toHaveLength(1);
    await env.scheduler.advance(1);
    expect(env.routes.created.map((c) => c.route.targetNode)).toEqual(['a', 'b', 'c']);
    await env.controller.stop();
  });

  it('should not reconcile without node changes, and delete routes when a node goes', async () => {
    const env = await setup();
    env.informer.add(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(60_000);
    expect(env.routes.created).toHaveLength(1);
    env.informer.update({ ...node('a', ['10.244.1.0/24']), metadata: { name: 'a', labels: {} } });
    await env.scheduler.advance(60_000);
    expect(env.routes.created).toHaveLength(1);
    env.informer.delete(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(0);
    expect(env.routes.deleted.map((r) => r.targetNode)).toEqual(['a']);
    await env.controller.stop();
  });

  it('should still reconcile every 12–24 h without node changes (resync)', async () => {
    const env = await setup();
    env.routes.table.push({ name: 'stale', targetNode: 'gone', destinationCIDR: '10.244.9.0/24' });
    await env.scheduler.advance(12 * 3_600_000 - 1);
    expect(env.routes.deleted).toEqual([]);
    await env.scheduler.advance(12 * 3_600_000);
    expect(env.routes.deleted.map((r) => r.name)).toEqual(['stale']);
    await env.controller.stop();
  });

  it('should retry a pass whose ListRoutes failed', async () => {
    const env = await setup();
    env.routes.failList = new Error('cloud down');
    env.informer.add(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(0);
    expect(env.routes.created).toEqual([]);
    env.routes.failList = undefined;
    await env.scheduler.advance(10_000);
    expect(env.routes.created).toHaveLength(1);
    await env.controller.stop();
  });
});

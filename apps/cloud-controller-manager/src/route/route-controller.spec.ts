import { FakeInformer, ManualScheduler, type KubeObject } from '@app/controller-runtime';
import { Registry } from 'prom-client';
import { parseClusterCidrs } from './cluster-cidrs';
import { RouteController, type RouteControllerOptions } from './route-controller';
import type { RouteNode } from './route-types';
import { FakeConditionWriter, FakeRecorder, FakeRoutes, node } from './testing/route-fakes';

type Node = RouteNode & KubeObject;

function setup(overrides: Partial<RouteControllerOptions> = {}) {
  const scheduler = new ManualScheduler();
  const informer = new FakeInformer<Node>();
  const routes = new FakeRoutes();
  const writer = new FakeConditionWriter();
  const recorder = new FakeRecorder();
  const registry = new Registry();
  const controller = new RouteController({
    routes,
    nodes: informer,
    conditions: writer,
    recorder,
    clusterName: 'kubernetes',
    clusterCidrs: parseClusterCidrs('10.244.0.0/16,fd00:10:244::/56'),
    scheduler,
    registry,
    ...overrides,
  });
  return { scheduler, informer, routes, writer, recorder, registry, controller };
}

/** Starts the controller with a synced cache and lets the first pass finish. */
async function started(env: ReturnType<typeof setup>): Promise<void> {
  env.informer.markSynced();
  const start = env.controller.start();
  await env.scheduler.advance(0);
  await start;
  await env.scheduler.advance(0);
}

describe('RouteController', () => {
  it('should refuse to be built without a cluster CIDR', () => {
    expect(() => setup({ clusterCidrs: [] })).toThrow('Must specify clusterCIDR');
  });

  it('should create one route per node pod CIDR with the node UID as name hint', async () => {
    const env = setup();
    env.informer.add(node('a', ['10.244.1.0/24', 'fd00:10:244:1::/64'], { uid: 'uid-a' }));
    env.informer.add(node('b', ['10.244.2.0/24'], { uid: 'uid-b' }));
    await started(env);

    expect(
      env.routes.created.map((c) => [c.clusterName, c.nameHint, c.route.destinationCIDR]),
    ).toEqual([
      ['kubernetes', 'uid-a', '10.244.1.0/24'],
      ['kubernetes', 'uid-a', 'fd00:10:244:1::/64'],
      ['kubernetes', 'uid-b', '10.244.2.0/24'],
    ]);
    expect(env.routes.created[0].route.targetNode).toBe('a');
    expect(env.routes.created[0].route.targetNodeAddresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.1' },
    ]);
    const now = '2026-01-01T00:00:00Z';
    expect(env.writer.writes).toEqual(
      ['a', 'b'].map((name) => ({
        node: name,
        condition: {
          type: 'NetworkUnavailable',
          status: 'False',
          reason: 'RouteCreated',
          message: 'RouteController created a route',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      })),
    );
    expect(env.recorder.events).toEqual([]);
    await env.controller.stop();
  });

  it('should leave nodes without pod CIDRs alone', async () => {
    const env = setup();
    env.informer.add(node('a'));
    await started(env);
    expect(env.routes.created).toEqual([]);
    expect(env.writer.writes).toEqual([]);
    await env.controller.stop();
  });

  it('should keep existing routes and skip a condition that already says RouteCreated', async () => {
    const env = setup();
    env.routes.table.push({ name: 'r1', targetNode: 'a', destinationCIDR: '10.244.1.0/24' });
    env.informer.add(
      node('a', ['10.244.1.0/24'], {
        conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }],
      }),
    );
    await started(env);
    expect(env.routes.created).toEqual([]);
    expect(env.routes.deleted).toEqual([]);
    expect(env.writer.writes).toEqual([]);
    await env.controller.stop();
  });

  it('should overwrite NetworkUnavailable=False written by another agent (CalicoIsUp)', async () => {
    const env = setup();
    env.routes.table.push({ name: 'r1', targetNode: 'a', destinationCIDR: '10.244.1.0/24' });
    env.informer.add(
      node('a', ['10.244.1.0/24'], {
        conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'CalicoIsUp' }],
      }),
    );
    await started(env);
    expect(env.writer.writes.map((w) => w.condition.reason)).toEqual(['RouteCreated']);
    await env.controller.stop();
  });

  it('should delete the route of a deleted node on the next period', async () => {
    const env = setup();
    env.informer.add(node('a', ['10.244.1.0/24']));
    await started(env);
    expect(env.routes.table).toHaveLength(1);

    env.informer.delete(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(9_999);
    expect(env.routes.deleted).toEqual([]);
    await env.scheduler.advance(1);
    expect(env.routes.deleted.map((r) => r.destinationCIDR)).toEqual(['10.244.1.0/24']);
    expect(env.routes.table).toEqual([]);
    await env.controller.stop();
  });

  it('should delete stale and blackhole routes inside the cluster CIDR only', async () => {
    const env = setup();
    env.routes.table.push(
      { name: 'stale', targetNode: 'gone', destinationCIDR: '10.244.9.0/24' },
      { name: 'moved', targetNode: 'a', destinationCIDR: '10.244.8.0/24' },
      { name: 'black', targetNode: 'a', destinationCIDR: '10.244.1.0/24', blackhole: true },
      { name: 'no-target', targetNode: '', destinationCIDR: '10.244.7.0/24' },
      { name: 'outside', targetNode: 'gone', destinationCIDR: '192.168.0.0/24' },
      { name: 'outside-black', targetNode: 'a', destinationCIDR: '172.16.0.0/24', blackhole: true },
      { name: 'garbage', targetNode: 'gone', destinationCIDR: 'not-a-cidr' },
      // Wider than the cluster CIDR, but its first address lies inside: still the controller's.
      { name: 'straddling', targetNode: 'gone', destinationCIDR: '10.244.0.0/15' },
    );
    env.informer.add(node('a', ['10.244.1.0/24']));
    await started(env);

    expect(env.routes.deleted.map((r) => r.name).sort()).toEqual(
      ['black', 'moved', 'no-target', 'stale', 'straddling'].sort(),
    );
    // The blackhole route's CIDR counted as present this pass; the next pass re-creates it.
    expect(env.routes.created).toEqual([]);
    await env.scheduler.advance(10_000);
    expect(env.routes.created.map((c) => c.route.destinationCIDR)).toEqual(['10.244.1.0/24']);
    await env.controller.stop();
  });

  it('should report a failed create as FailedToCreateRoute and NoRouteCreated, then recover', async () => {
    const env = setup();
    env.routes.failCreate.set('10.244.1.0/24', new Error('quota exceeded'));
    env.informer.add(node('a', ['10.244.1.0/24'], { uid: 'uid-a' }));
    await started(env);

    expect(env.recorder.events).toEqual([
      {
        object: { apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'a' },
        type: 'Warning',
        reason: 'FailedToCreateRoute',
        message: 'Could not create route uid-a 10.244.1.0/24 for node a after 0s: quota exceeded',
      },
    ]);
    expect(env.writer.writes.map((w) => w.condition)).toEqual([
      expect.objectContaining({
        type: 'NetworkUnavailable',
        status: 'True',
        reason: 'NoRouteCreated',
        message: 'RouteController failed to create a route',
      }),
    ]);

    env.informer.update(
      node('a', ['10.244.1.0/24'], {
        uid: 'uid-a',
        conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }],
      }),
    );
    env.routes.failCreate.clear();
    await env.scheduler.advance(10_000);
    expect(env.routes.table.map((r) => r.destinationCIDR)).toEqual(['10.244.1.0/24']);
    expect(env.writer.writes.map((w) => w.condition.reason)).toEqual([
      'NoRouteCreated',
      'RouteCreated',
    ]);
    expect(env.writer.writes[1].condition.lastTransitionTime).toBe('2026-01-01T00:00:10Z');
    await env.controller.stop();
  });

  it('should not rewrite NoRouteCreated while creation keeps failing', async () => {
    const env = setup();
    env.routes.failCreate.set('10.244.1.0/24', new Error('boom'));
    env.informer.add(
      node('a', ['10.244.1.0/24'], {
        conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }],
      }),
    );
    await started(env);
    expect(env.recorder.events).toHaveLength(1);
    expect(env.writer.writes).toEqual([]);
    await env.controller.stop();
  });

  it('should set NoRouteCreated on a node that has routes but no pod CIDRs', async () => {
    const env = setup();
    env.routes.table.push({ name: 'r', targetNode: 'a', destinationCIDR: '10.244.1.0/24' });
    env.informer.add(node('a'));
    await started(env);
    expect(env.routes.deleted.map((r) => r.name)).toEqual(['r']);
    expect(env.writer.writes.map((w) => [w.node, w.condition.reason])).toEqual([
      ['a', 'NoRouteCreated'],
    ]);
    await env.controller.stop();
  });

  it('should re-create an address-tracking route whose node addresses changed, deletes first', async () => {
    const env = setup();
    env.routes.table.push({
      name: 'r',
      targetNode: 'a',
      destinationCIDR: '10.244.1.0/24',
      enableNodeAddresses: true,
      targetNodeAddresses: [{ type: 'InternalIP', address: '10.9.9.9' }],
    });
    env.informer.add(node('a', ['10.244.1.0/24']));
    await started(env);
    expect(env.routes.deleted.map((r) => r.name)).toEqual(['r']);
    expect(env.routes.created.map((c) => c.route.destinationCIDR)).toEqual(['10.244.1.0/24']);
    expect(env.writer.writes.map((w) => w.condition.reason)).toEqual(['RouteCreated']);
    await env.controller.stop();
  });

  it('should keep at most maxConcurrentOperations cloud calls in flight', async () => {
    const env = setup({ maxConcurrentOperations: 3 });
    let open!: () => void;
    env.routes.gate = new Promise((resolve) => (open = resolve));
    for (let i = 0; i < 10; i++) {
      env.informer.add(node(`n${i}`, [`10.244.${i}.0/24`]));
    }
    env.routes.table.push({ name: 'stale', targetNode: 'gone', destinationCIDR: '10.244.99.0/24' });
    env.informer.markSynced();
    const start = env.controller.start();
    await env.scheduler.advance(0);
    await start;
    await env.scheduler.advance(0);
    expect(env.routes.inFlight).toBe(3);
    open();
    await env.scheduler.advance(0);
    expect(env.routes.maxInFlight).toBe(3);
    expect(env.routes.created).toHaveLength(10);
    expect(env.routes.deleted).toHaveLength(1);
    await env.controller.stop();
  });

  it('should allow 200 cloud calls in flight by default (maxConcurrentRouteOperations)', async () => {
    const env = setup();
    let open!: () => void;
    env.routes.gate = new Promise((resolve) => (open = resolve));
    for (let i = 0; i < 250; i++) {
      env.informer.add(node(`n${i}`, [`10.244.${i}.0/24`]));
    }
    env.informer.markSynced();
    const start = env.controller.start();
    await env.scheduler.advance(0);
    await start;
    await env.scheduler.advance(0);
    expect(env.routes.inFlight).toBe(200);
    open();
    await env.scheduler.advance(0);
    expect(env.routes.created).toHaveLength(250);
    expect(env.writer.writes).toHaveLength(250);
    await env.controller.stop();
  });

  it('should not start reconciling before the node cache has synced', async () => {
    const env = setup();
    env.informer.add(node('a', ['10.244.1.0/24']));
    const start = env.controller.start();
    await env.scheduler.advance(1_000);
    expect(env.routes.created).toEqual([]);
    env.informer.markSynced();
    await env.scheduler.advance(100);
    await start;
    await env.scheduler.advance(0);
    expect(env.routes.created).toHaveLength(1);
    await env.controller.stop();
  });

  it('should count passes and carry on after a ListRoutes failure', async () => {
    const env = setup();
    env.routes.failList = new Error('cloud down');
    env.informer.add(node('a', ['10.244.1.0/24']));
    await started(env);
    expect(env.routes.created).toEqual([]);
    env.routes.failList = undefined;
    await env.scheduler.advance(10_000);
    expect(env.routes.created).toHaveLength(1);
    const metric = await env.registry.getSingleMetricAsString('route_controller_route_sync_total');
    expect(metric).toContain('route_controller_route_sync_total 2');
    await env.controller.stop();
  });

  it('should run passes every period measured from their start (non-sliding)', async () => {
    const env = setup({ reconciliationPeriodMs: 5_000 });
    let open!: () => void;
    await started(env);
    env.routes.gate = new Promise((resolve) => (open = resolve));
    env.informer.add(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(5_000); // second pass starts, blocks in createRoute
    await env.scheduler.advance(2_000);
    open();
    await env.scheduler.advance(0);
    env.informer.add(node('b', ['10.244.2.0/24']));
    await env.scheduler.advance(2_999);
    expect(env.routes.created).toHaveLength(1);
    await env.scheduler.advance(1);
    expect(env.routes.created).toHaveLength(2);
    await env.controller.stop();
  });

  it('should stop taking passes after stop()', async () => {
    const env = setup();
    await started(env);
    await env.controller.stop();
    env.informer.add(node('a', ['10.244.1.0/24']));
    await env.scheduler.advance(60_000);
    expect(env.routes.created).toEqual([]);
  });
});

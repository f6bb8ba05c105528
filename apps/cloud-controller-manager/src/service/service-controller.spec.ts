import { InvalidServiceError, RetryError } from '@app/cloud-provider';
import { FakeInformer, ManualScheduler } from '@app/controller-runtime';
import { Registry } from 'prom-client';
import { LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS, TO_BE_DELETED_TAINT } from './node-predicates';
import { ServiceController } from './service-controller';
import {
  FakeLoadBalancer,
  FakeServiceWriter,
  RecordingRecorder,
  lbService,
  node,
} from './service-test-fixtures';
import { LOAD_BALANCER_CLEANUP_FINALIZER } from './service-predicates';
import type { Node, Service } from './service-types';

const KEY = 'default/web';

async function setup(
  options: {
    services?: Service[];
    nodes?: Node[];
    workers?: number;
    start?: boolean;
    registry?: Registry;
    statusConditions?: boolean;
  } = {},
) {
  const scheduler = new ManualScheduler();
  const services = new FakeInformer<Service>();
  const nodes = new FakeInformer<Node>();
  for (const n of options.nodes ?? [node('n1'), node('n2')]) {
    nodes.add(n);
  }
  for (const s of options.services ?? []) {
    services.add(s);
  }
  services.markSynced();
  nodes.markSynced();
  const balancer = new FakeLoadBalancer();
  const writer = new FakeServiceWriter(services, balancer.calls);
  const recorder = new RecordingRecorder();
  const controller = new ServiceController({
    clusterName: 'kubernetes',
    balancer,
    services,
    nodes,
    writer,
    recorder,
    scheduler,
    workers: options.workers,
    registry: options.registry,
    statusConditions: options.statusConditions ? { now: () => scheduler.now() } : undefined,
  });
  if (options.start !== false) {
    await controller.start();
    await scheduler.advance(0);
  }
  const settle = () => scheduler.advance(0);
  return { scheduler, services, nodes, balancer, recorder, controller, settle };
}

describe('ServiceController', () => {
  it('should add the finalizer before creating the LB, then record events and patch the ingress', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();

    expect(t.balancer.calls).toEqual([
      `finalizers ${KEY} [${LOAD_BALANCER_CLEANUP_FINALIZER}]`,
      `ensure ${KEY}`,
      `status ${KEY} [203.0.113.10]`,
    ]);
    expect(t.recorder.reasons()).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
    expect(t.recorder.events[0]).toMatchObject({
      type: 'Normal',
      message: 'Ensuring load balancer',
      kind: 'Service',
      name: 'web',
    });
    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual(['n1', 'n2']);
    expect(t.services.get(KEY)?.status?.loadBalancer?.ingress).toEqual([
      { ip: '203.0.113.10', ipMode: 'VIP' },
    ]);
    await t.controller.stop();
  });

  it('should ignore services with a loadBalancerClass and other types', async () => {
    const t = await setup();
    t.services.add(lbService('web', { loadBalancerClass: 'other.io/lb' }));
    t.services.add(lbService('plain', { type: 'ClusterIP' }));
    await t.settle();
    const web = t.services.get(KEY)!;
    t.services.update({ ...web, metadata: { ...web.metadata, annotations: { a: 'b' } } });
    await t.settle();

    expect(t.balancer.calls).toEqual([]);
    expect(t.recorder.events).toEqual([]);
    await t.controller.stop();
  });

  it('should delete the LB, drop the finalizer and clear the status when a service is deleted', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.balancer.calls.length = 0;
    t.recorder.events.length = 0;
    const svc = t.services.get(KEY)!;
    t.services.update({ ...svc, metadata: { ...svc.metadata, deletionTimestamp: new Date() } });
    await t.settle();

    // The status patch of the vanished Service answers 404, which is ignored.
    expect(t.balancer.calls).toEqual([
      `get ${KEY}`,
      `delete ${KEY}`,
      `finalizers ${KEY} []`,
      `status ${KEY} []`,
    ]);
    expect(t.recorder.reasons()).toEqual(['DeletingLoadBalancer', 'DeletedLoadBalancer']);
    expect(t.services.get(KEY)).toBeUndefined();
    await t.controller.stop();
  });

  it('should clean up on a flip to ClusterIP (DeletedLoadBalancer even without an LB) and recreate on the flip back', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.balancer.balancers.clear(); // gone out-of-band: still "Deleted load balancer"
    t.recorder.events.length = 0;
    const svc = t.services.get(KEY)!;
    t.services.update({ ...svc, spec: { ...svc.spec, type: 'ClusterIP' } });
    await t.settle();

    expect(t.recorder.events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'DeletedLoadBalancer: Deleted load balancer',
    ]);
    const flipped = t.services.get(KEY)!;
    expect(flipped.metadata?.finalizers).toEqual([]);
    expect(flipped.status?.loadBalancer?.ingress).toEqual([]);

    t.recorder.events.length = 0;
    t.services.update({ ...flipped, spec: { ...flipped.spec, type: 'LoadBalancer' } });
    await t.settle();
    expect(t.recorder.reasons()).toEqual(['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);
    expect(t.balancer.balancers.has(KEY)).toBe(true);
    await t.controller.stop();
  });

  it('should re-ensure on spec and annotation changes but not on labels, selector or resyncs', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    const ensures = () => t.balancer.calls.filter((c) => c.startsWith('ensure')).length;
    const change = (f: (s: Service) => Service) => {
      t.services.update(f(t.services.get(KEY)!));
      return t.settle();
    };

    await change((s) => ({ ...s, metadata: { ...s.metadata, labels: { x: 'y' } } }));
    await change((s) => ({ ...s, spec: { ...s.spec, selector: { app: 'other' } } }));
    await change((s) => ({ ...s, spec: { ...s.spec, internalTrafficPolicy: 'Local' } }));
    await change((s) => s); // resync
    expect(ensures()).toBe(1);

    await change((s) => ({
      ...s,
      metadata: {
        ...s.metadata,
        annotations: {
          'service.beta.kubernetes.io/nimbus-load-balancer-algorithm': 'least_connections',
        },
      },
    }));
    await change((s) => ({ ...s, spec: { ...s.spec, sessionAffinity: 'ClientIP' } }));
    await change((s) => ({
      ...s,
      spec: { ...s.spec, ports: [{ ...s.spec!.ports![0], nodePort: 30081 }] },
    }));
    await change((s) => ({ ...s, spec: { ...s.spec, loadBalancerSourceRanges: ['10.0.0.0/8'] } }));
    await change((s) => ({ ...s, spec: { ...s.spec, externalTrafficPolicy: 'Local' } }));
    await change((s) => ({ ...s, spec: { ...s.spec, loadBalancerIP: '203.0.113.7' } }));
    expect(ensures()).toBe(7);
    expect(t.recorder.reasons().filter((r) => !r.endsWith('LoadBalancer'))).toEqual([]);
    await t.controller.stop();
  });

  it('should retry failures with 5 s, 10 s, 20 s backoff and SyncLoadBalancerFailed each time', async () => {
    const t = await setup();
    const boom = new Error('pool exhausted');
    t.balancer.errors.ensure = [boom, boom, boom];
    t.services.add(lbService('web'));
    await t.settle();
    const failures = () => t.recorder.events.filter((e) => e.reason === 'SyncLoadBalancerFailed');

    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatchObject({
      type: 'Warning',
      message: 'Error syncing load balancer: failed to ensure load balancer: pool exhausted',
    });
    await t.scheduler.advance(4_999);
    expect(failures()).toHaveLength(1);
    await t.scheduler.advance(1);
    expect(failures()).toHaveLength(2);
    await t.scheduler.advance(9_999);
    expect(failures()).toHaveLength(2);
    await t.scheduler.advance(1);
    expect(failures()).toHaveLength(3);
    await t.scheduler.advance(20_000);
    expect(t.recorder.reasons().at(-1)).toBe('EnsuredLoadBalancer');
    expect(t.services.get(KEY)?.status?.loadBalancer?.ingress).toHaveLength(1);
    await t.controller.stop();
  });

  it('should retry a RetryError after exactly its delay, still recording SyncLoadBalancerFailed', async () => {
    const t = await setup();
    const notYet = new RetryError('load balancer is provisioning', 10_000);
    t.balancer.errors.ensure = [notYet, notYet];
    t.services.add(lbService('web'));
    await t.settle();
    const ensures = () => t.balancer.calls.filter((c) => c.startsWith('ensure')).length;

    expect(ensures()).toBe(1);
    await t.scheduler.advance(9_999);
    expect(ensures()).toBe(1);
    await t.scheduler.advance(1);
    expect(ensures()).toBe(2);
    await t.scheduler.advance(10_000);
    expect(ensures()).toBe(3);
    expect(t.recorder.events.filter((e) => e.reason === 'SyncLoadBalancerFailed')).toHaveLength(2);
    expect(t.services.get(KEY)?.status?.loadBalancer?.ingress).toHaveLength(1);
    await t.controller.stop();
  });

  it("should back off (not use the RetryError delay) when a delete fails, as Go's %v wrapping hides it", async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.balancer.errors.delete = [new RetryError('still busy', 1_000)];
    const svc = t.services.get(KEY)!;
    t.services.update({ ...svc, metadata: { ...svc.metadata, deletionTimestamp: new Date() } });
    await t.settle();
    const deletes = () => t.balancer.calls.filter((c) => c.startsWith('delete')).length;

    expect(t.recorder.events.at(-1)).toMatchObject({
      reason: 'SyncLoadBalancerFailed',
      message: 'Error syncing load balancer: failed to delete load balancer: still busy',
    });
    await t.scheduler.advance(4_999);
    expect(deletes()).toBe(1);
    await t.scheduler.advance(1);
    expect(deletes()).toBe(2);
    expect(t.services.get(KEY)).toBeUndefined();
    await t.controller.stop();
  });

  it('should update the hosts of every LB when a node is added, and not when readiness changes', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    t.services.add(lbService('api'));
    await t.settle();
    t.recorder.events.length = 0;
    t.nodes.add(node('n3'));
    await t.settle();

    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual(['n1', 'n2', 'n3']);
    expect(t.balancer.balancers.get('default/api')?.hosts).toEqual(['n1', 'n2', 'n3']);
    expect(t.recorder.reasons()).toEqual(['UpdatedLoadBalancer', 'UpdatedLoadBalancer']);
    expect(t.recorder.events[0].message).toBe('Updated load balancer with new hosts');

    const calls = t.balancer.calls.length;
    t.nodes.update(node('n3', { ready: false }));
    t.nodes.update(node('n3', { ready: false, labels: { role: 'x' } }));
    t.nodes.update(node('n3', { ready: false, taints: [TO_BE_DELETED_TAINT] }));
    await t.settle();
    expect(t.balancer.calls.length).toBe(calls);
    await t.controller.stop();
  });

  it('should exclude nodes by label with ParseBool semantics ("" excludes, "false" includes)', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    const hosts = () => t.balancer.balancers.get(KEY)?.hosts;

    t.nodes.update(
      node('n2', { labels: { [LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS]: 'true' } }),
    );
    await t.settle();
    expect(hosts()).toEqual(['n1']);
    t.nodes.update(
      node('n2', { labels: { [LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS]: 'false' } }),
    );
    await t.settle();
    expect(hosts()).toEqual(['n1', 'n2']);
    t.nodes.update(node('n2', { labels: { [LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS]: '' } }));
    await t.settle();
    expect(hosts()).toEqual(['n1']);
    await t.controller.stop();
  });

  it('should leave a to-be-deleted node in place until something else triggers a sync', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.nodes.update(node('n2', { taints: [TO_BE_DELETED_TAINT] }));
    await t.settle();
    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual(['n1', 'n2']);

    t.nodes.add(node('n3'));
    await t.settle();
    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual(['n1', 'n3']);
    await t.controller.stop();
  });

  it('should warn UnAvailableLoadBalancer when no node is eligible, keeping the LB', async () => {
    const excluded = { [LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS]: 'true' };
    const t = await setup({ nodes: [node('n1', { labels: excluded })] });
    t.services.add(lbService('web'));
    await t.settle();

    expect(t.recorder.reasons()).toEqual([
      'EnsuringLoadBalancer',
      'UnAvailableLoadBalancer',
      'EnsuredLoadBalancer',
    ]);
    expect(t.recorder.events[1]).toMatchObject({
      type: 'Warning',
      message: 'There are no available nodes for LoadBalancer',
    });
    t.nodes.add(node('n2'));
    await t.settle();
    t.recorder.events.length = 0;
    t.nodes.update(node('n2', { labels: excluded }));
    await t.settle();
    expect(t.recorder.reasons()).toEqual(['UnAvailableLoadBalancer']);
    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual([]);
    await t.controller.stop();
  });

  it('should report UpdateLoadBalancerFailed and then run a full Ensure', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.recorder.events.length = 0;
    t.balancer.errors.update = [new Error('cloud says no')];
    t.nodes.add(node('n3'));
    await t.settle();

    expect(t.recorder.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Warning UpdateLoadBalancerFailed: Error updating load balancer with new hosts [n1 n2 n3] [node names limited, total number of nodes: 3], error: cloud says no',
      'Normal EnsuringLoadBalancer: Ensuring load balancer',
      'Normal EnsuredLoadBalancer: Ensured load balancer',
    ]);
    expect(t.balancer.balancers.get(KEY)?.hosts).toEqual(['n1', 'n2', 'n3']);
    await t.controller.stop();
  });

  it('should treat a failed host update of a vanished LB as success', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    t.balancer.balancers.clear();
    t.recorder.events.length = 0;
    t.nodes.add(node('n3'));
    await t.settle();

    expect(t.recorder.events).toEqual([]);
    expect(t.balancer.balancers.has(KEY)).toBe(false);
    await t.controller.stop();
  });

  it('should finish the cleanup of a service left terminating while it was down, and re-ensure the rest at startup', async () => {
    const terminating = lbService('old');
    terminating.metadata = {
      ...terminating.metadata,
      finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER],
      deletionTimestamp: new Date(),
    };
    const existing = lbService('web');
    existing.metadata = { ...existing.metadata, finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] };
    const t = await setup({ services: [terminating, existing], start: false });
    t.balancer.balancers.set('default/old', { hosts: [], service: terminating });
    await t.controller.start();
    await t.settle();

    expect(t.services.get('default/old')).toBeUndefined();
    expect(t.balancer.balancers.has('default/old')).toBe(false);
    expect(t.balancer.balancers.has(KEY)).toBe(true);
    expect(t.balancer.calls).not.toContain(
      `finalizers ${KEY} [${LOAD_BALANCER_CLEANUP_FINALIZER}]`,
    );
    await t.controller.stop();
  });

  it('should not touch the status when the ingress is unchanged', async () => {
    const t = await setup();
    t.services.add(lbService('web'));
    await t.settle();
    const svc = t.services.get(KEY)!;
    t.balancer.calls.length = 0;
    t.services.update({ ...svc, metadata: { ...svc.metadata, annotations: { a: 'b' } } });
    await t.settle();

    expect(t.balancer.calls).toEqual([`ensure ${KEY}`]);
    await t.controller.stop();
  });

  it('should fan node syncs out over --concurrent-service-syncs workers', async () => {
    const t = await setup({ workers: 3 });
    for (let i = 0; i < 7; i++) {
      t.services.add(lbService(`s${i}`));
    }
    await t.settle();
    t.nodes.delete(node('n2'));
    await t.settle();

    for (let i = 0; i < 7; i++) {
      expect(t.balancer.balancers.get(`default/s${i}`)?.hosts).toEqual(['n1']);
    }
    await t.controller.stop();
  });

  it('should count syncs and node-sync errors in the upstream service_controller metrics', async () => {
    const registry = new Registry();
    const t = await setup({ registry });
    t.services.add(lbService('web'));
    await t.settle();
    t.nodes.add(node('n3'));
    await t.settle();
    t.balancer.errors.update = [new Error('no')];
    t.nodes.add(node('n4'));
    await t.settle();
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values[0]?.value;

    // host updates only (as upstream): the successful one and the failed one
    expect(await value('service_controller_loadbalancer_sync_total')).toBe(2);
    expect(await value('service_controller_nodesync_error_total')).toBe(1);
    expect(await registry.metrics()).toContain('workqueue_adds_total{name="service"}');
    await t.controller.stop();
  });

  describe('with LoadBalancerStatusImprovements (KEP-4631 conditions)', () => {
    const conditionsOf = (t: { services: { get(k: string): Service | undefined } }) =>
      (t.services.get(KEY)?.status?.conditions ?? []).map(
        (c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`,
      );

    it('marks Provisioning before the cloud call and Serving with the ingress', async () => {
      const t = await setup({ statusConditions: true });
      const web = lbService('web');
      web.metadata = { ...web.metadata, generation: 1 };
      t.services.add(web);
      await t.settle();

      expect(t.balancer.calls).toEqual([
        `conditions ${KEY} [LoadBalancerProvisioning=True/Provisioning LoadBalancerServing=False/Provisioning]`,
        `finalizers ${KEY} [${LOAD_BALANCER_CLEANUP_FINALIZER}]`,
        `ensure ${KEY}`,
        `status ${KEY} [203.0.113.10]`,
        `conditions ${KEY} [LoadBalancerProvisioning=False/Complete LoadBalancerServing=True/Serving]`,
      ]);
      expect(conditionsOf(t)).toEqual([
        'LoadBalancerProvisioning=False/Complete: Ensured load balancer',
        'LoadBalancerServing=True/Serving: Load balancer is serving',
      ]);
      expect(t.services.get(KEY)?.status?.conditions?.[0]).toMatchObject({ observedGeneration: 1 });
      await t.controller.stop();
    });

    it('stays Provisioning while the cloud builds the LB, then names the failure', async () => {
      const t = await setup({ statusConditions: true });
      t.balancer.errors.ensure = [
        new RetryError('load balancer is provisioning', 10_000),
        new Error('pool exhausted'),
      ];
      t.services.add(lbService('web'));
      await t.settle();
      expect(conditionsOf(t)).toEqual([
        'LoadBalancerProvisioning=True/Provisioning: Ensuring load balancer',
        'LoadBalancerServing=False/Provisioning: Load balancer is being provisioned',
      ]);
      await t.scheduler.advance(10_000);
      expect(conditionsOf(t)).toEqual([
        'LoadBalancerProvisioning=False/Complete: failed to ensure load balancer: pool exhausted',
        'LoadBalancerServing=False/Infrastructure: failed to ensure load balancer: pool exhausted',
      ]);
      await t.scheduler.advance(5_000);
      expect(conditionsOf(t)).toEqual([
        'LoadBalancerProvisioning=False/Complete: Ensured load balancer',
        'LoadBalancerServing=True/Serving: Load balancer is serving',
      ]);
      await t.controller.stop();
    });

    it('reports Unsupported for a Service the provider refuses, and drops the conditions on a flip to ClusterIP', async () => {
      const t = await setup({ statusConditions: true });
      t.balancer.errors.ensure = [
        new InvalidServiceError('sessionAffinity Magic is not supported'),
      ];
      t.services.add(lbService('web'));
      await t.settle();
      expect(conditionsOf(t)).toContain(
        'LoadBalancerServing=False/Unsupported: failed to ensure load balancer: sessionAffinity Magic is not supported',
      );
      const svc = t.services.get(KEY)!;
      t.services.update({ ...svc, spec: { ...svc.spec, type: 'ClusterIP' } });
      await t.settle();
      expect(t.balancer.calls.at(-1)).toBe(
        `conditions ${KEY} [-LoadBalancerServing -LoadBalancerProvisioning]`,
      );
      expect(conditionsOf(t)).toEqual([]);
      await t.controller.stop();
    });

    it('keeps Serving while a serving LB is reprovisioned, and writes nothing on resyncs', async () => {
      const t = await setup({ statusConditions: true });
      t.services.add(lbService('web'));
      await t.settle();
      const before = t.services.get(KEY)!;
      t.balancer.calls.length = 0;
      t.services.update({
        ...before,
        metadata: { ...before.metadata, annotations: { changed: 'yes' } },
      });
      await t.settle();
      expect(t.balancer.calls).toEqual([
        `conditions ${KEY} [LoadBalancerProvisioning=True/Provisioning LoadBalancerServing=True/Serving]`,
        `ensure ${KEY}`,
        `conditions ${KEY} [LoadBalancerProvisioning=False/Complete LoadBalancerServing=True/Serving]`,
      ]);
      t.balancer.calls.length = 0;
      t.services.update({
        ...t.services.get(KEY)!,
        metadata: { ...t.services.get(KEY)!.metadata, labels: { x: 'y' } },
      });
      await t.settle();
      expect(t.balancer.calls).toEqual([]);
      await t.controller.stop();
    });
  });
});

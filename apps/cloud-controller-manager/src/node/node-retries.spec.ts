import type { InstanceMetadata, InstancesV2 } from '@app/cloud-provider';
import {
  FakeInformer,
  ManualScheduler,
  noopLogger,
  type EventRecorder,
} from '@app/controller-runtime';
import type { InformerAdapter, KubeClient, V1Node } from '@app/kube-client';
import { Registry } from 'prom-client';
import { CloudNodeLifecycleController } from '../nodelifecycle/node-lifecycle-controller';
import { CloudNodeController } from './node-controller';
import { TAINT_SHUTDOWN, TAINT_UNINITIALIZED } from './node-constants';

// The retries upstream builds into the node controllers, exercised with a fake api-server client
// and a ManualScheduler: the conflict-retried Update (20 × 50 ms), the label patch (5 × 100 ms)
// and the lifecycle controller's taint writes (5 × 100 ms).

const conflict = () => Object.assign(new Error('HTTP-Code: 409 Conflict'), { code: 409 });
const unavailable = () => Object.assign(new Error('HTTP-Code: 503'), { code: 503 });

const metadata: InstanceMetadata = {
  providerID: 'nimbus://default/nimbus-1a/i-1',
  instanceType: 'nb.small',
  nodeAddresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
  zone: 'nimbus-1a',
  region: 'nimbus-1',
  additionalLabels: {},
};

const node = (name: string, extra: Partial<V1Node> = {}): V1Node => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: '1', ...extra.metadata },
  spec: {
    taints: [{ key: TAINT_UNINITIALIZED, value: 'true', effect: 'NoSchedule' }],
    ...extra.spec,
  },
  status: extra.status,
});

/** A KubeClient whose node calls are scripted per test. */
function fakeKube() {
  const nodes = {
    get: jest.fn<Promise<V1Node>, [string]>(),
    update: jest.fn<Promise<V1Node>, [V1Node]>(),
    patch: jest.fn<Promise<V1Node>, [string, object, string?]>(),
    patchAddresses: jest.fn<Promise<V1Node>, [string, unknown]>(() => Promise.resolve({})),
    delete: jest.fn(),
  };
  return { nodes, kube: { nodes } as unknown as KubeClient };
}

const recorder = () => {
  const events: string[] = [];
  const r = { event: (_ref: unknown, _type: string, reason: string) => events.push(reason) };
  return { events, recorder: r as unknown as EventRecorder };
};

function nodeController(informer: FakeInformer<V1Node>, kube: KubeClient, rec: EventRecorder) {
  const scheduler = new ManualScheduler();
  const instances: InstancesV2 = {
    instanceExists: () => Promise.resolve(true),
    instanceShutdown: () => Promise.resolve(false),
    instanceMetadata: () => Promise.resolve(metadata),
  };
  const controller = new CloudNodeController({
    nodes: informer as unknown as InformerAdapter<V1Node>,
    instances,
    kube,
    recorder: rec,
    scheduler,
    logger: noopLogger,
    registry: new Registry(),
    workers: 1,
    nodeStatusUpdateFrequencyMs: 60_000,
    random: () => 0,
  });
  return { scheduler, controller };
}

/** Runs `work` to the end, moving the manual clock as far as its sleeps need. */
async function drive<T>(scheduler: ManualScheduler, work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  result.catch(() => undefined);
  while (!done) {
    await scheduler.advance(10);
  }
  return result;
}

describe('cloud node controller retries', () => {
  it('re-reads and retries the initialising Update on conflicts, 50 ms apart, then records Synced', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(node('n1'));
    const { nodes, kube } = fakeKube();
    const { events, recorder: rec } = recorder();
    const fresh = node('n1', { metadata: { name: 'n1', labels: { added: 'meanwhile' } } });
    nodes.get.mockResolvedValue(fresh);
    nodes.update
      .mockRejectedValueOnce(conflict())
      .mockRejectedValueOnce(conflict())
      .mockImplementation((n) =>
        Promise.resolve({
          ...n,
          metadata: { ...n.metadata, resourceVersion: '9' },
        }),
      );
    const { scheduler, controller } = nodeController(informer, kube, rec);
    const start = scheduler.now();

    await drive(scheduler, controller.syncNode('n1'));

    expect(nodes.update).toHaveBeenCalledTimes(3);
    expect(nodes.get).toHaveBeenCalledTimes(2);
    // Jitter 0: 50 ms between attempts (UpdateNodeSpecBackoff).
    expect(scheduler.now() - start).toBeGreaterThanOrEqual(100);
    const last = nodes.update.mock.calls[2][0];
    expect(last.metadata?.labels).toMatchObject({
      added: 'meanwhile',
      'topology.kubernetes.io/zone': 'nimbus-1a',
    });
    expect(last.spec?.taints).toBeUndefined();
    expect(events).toEqual(['Synced']);
  });

  it('gives up after 20 conflicting Updates (the taint stays, no event)', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(node('n2'));
    const { nodes, kube } = fakeKube();
    const { events, recorder: rec } = recorder();
    nodes.get.mockResolvedValue(node('n2'));
    nodes.update.mockRejectedValue(conflict());
    const { scheduler, controller } = nodeController(informer, kube, rec);

    await expect(drive(scheduler, controller.syncNode('n2'))).rejects.toMatchObject({ code: 409 });
    expect(nodes.update).toHaveBeenCalledTimes(20);
    expect(events).toEqual([]);
  });

  it('stops retrying when someone else initialised the node meanwhile', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(node('n3'));
    const { nodes, kube } = fakeKube();
    const { events, recorder: rec } = recorder();
    nodes.update.mockRejectedValueOnce(conflict());
    nodes.get.mockResolvedValue(node('n3', { spec: { taints: [] } }));
    const { scheduler, controller } = nodeController(informer, kube, rec);

    await drive(scheduler, controller.syncNode('n3'));
    expect(nodes.update).toHaveBeenCalledTimes(1);
    expect(events).toEqual([]);
  });

  it('does not retry an Update that failed for another reason', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(node('n4'));
    const { nodes, kube } = fakeKube();
    const { recorder: rec } = recorder();
    nodes.update.mockRejectedValue(unavailable());
    const { scheduler, controller } = nodeController(informer, kube, rec);

    await expect(drive(scheduler, controller.syncNode('n4'))).rejects.toMatchObject({ code: 503 });
    expect(nodes.update).toHaveBeenCalledTimes(1);
    expect(nodes.get).not.toHaveBeenCalled();
  });

  it('retries the beta→GA label patch 100 ms apart, up to 5 times', async () => {
    const informer = new FakeInformer<V1Node>();
    const labelled = node('n5', {
      metadata: { name: 'n5', labels: { 'failure-domain.beta.kubernetes.io/zone': 'z9' } },
      spec: { taints: [] },
    });
    informer.add(labelled);
    const { nodes, kube } = fakeKube();
    const { recorder: rec } = recorder();
    nodes.patch
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable())
      .mockResolvedValue(labelled);
    const { scheduler, controller } = nodeController(informer, kube, rec);
    const start = scheduler.now();

    await drive(scheduler, controller.syncNode('n5'));
    expect(nodes.patch).toHaveBeenCalledTimes(3);
    expect(nodes.patch).toHaveBeenLastCalledWith('n5', {
      metadata: { labels: { 'topology.kubernetes.io/zone': 'z9' } },
    });
    expect(scheduler.now() - start).toBeGreaterThanOrEqual(200);

    nodes.patch.mockReset();
    nodes.patch.mockRejectedValue(unavailable());
    await expect(drive(scheduler, controller.syncNode('n5'))).rejects.toMatchObject({ code: 503 });
    expect(nodes.patch).toHaveBeenCalledTimes(5);
  });
});

describe('cloud node lifecycle controller taint retries', () => {
  function lifecycle(informer: FakeInformer<V1Node>, kube: KubeClient, shutdown: boolean) {
    const scheduler = new ManualScheduler();
    const controller = new CloudNodeLifecycleController({
      nodes: informer as unknown as InformerAdapter<V1Node>,
      instances: {
        instanceExists: () => Promise.resolve(true),
        instanceShutdown: () => Promise.resolve(shutdown),
        instanceMetadata: () => Promise.resolve(metadata),
      },
      kube,
      recorder: recorder().recorder,
      scheduler,
      logger: noopLogger,
      nodeMonitorPeriodMs: 5_000,
    });
    return { scheduler, controller };
  }
  const notReady = (name: string, taints: V1Node['spec'] = { taints: [] }) =>
    node(name, { spec: taints, status: { conditions: [{ type: 'Ready', status: 'False' }] } });

  it('re-reads the node and retries the shutdown taint write on conflict, guarded by resourceVersion', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(notReady('l1'));
    const { nodes, kube } = fakeKube();
    nodes.get
      .mockResolvedValueOnce(notReady('l1'))
      .mockResolvedValue({ ...notReady('l1'), metadata: { name: 'l1', resourceVersion: '7' } });
    nodes.patch.mockRejectedValueOnce(conflict()).mockResolvedValue(notReady('l1'));
    const { scheduler, controller } = lifecycle(informer, kube, true);

    await drive(scheduler, controller.monitorNodes());
    expect(nodes.patch).toHaveBeenCalledTimes(2);
    expect(nodes.patch).toHaveBeenLastCalledWith(
      'l1',
      {
        metadata: { resourceVersion: '7' },
        spec: { taints: [{ key: TAINT_SHUTDOWN, effect: 'NoSchedule' }] },
      },
      'merge',
    );
  });

  it('gives up after 5 failed taint writes without throwing (the next period tries again)', async () => {
    const informer = new FakeInformer<V1Node>();
    informer.add(
      node('l2', {
        spec: { taints: [{ key: TAINT_SHUTDOWN, effect: 'NoSchedule' }] },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    );
    const { nodes, kube } = fakeKube();
    nodes.get.mockResolvedValue(
      notReady('l2', { taints: [{ key: TAINT_SHUTDOWN, effect: 'NoSchedule' }] }),
    );
    nodes.patch.mockRejectedValue(conflict());
    const { scheduler, controller } = lifecycle(informer, kube, false);

    await drive(scheduler, controller.monitorNodes());
    expect(nodes.patch).toHaveBeenCalledTimes(5);
    // A Ready node only loses the taint: the write removes it (null clears the list).
    expect(nodes.patch.mock.calls[0][1]).toMatchObject({ spec: { taints: null } });
  });
});

import { ManualScheduler } from '@app/controller-runtime';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@app/kube-client';
import { SchedulerCache } from '../../cache/scheduler-cache';
import { VolumeBinding, type VolumeApi } from './volume-binding';
import { ScheduleAlgorithm } from '../../framework/schedule-pod';
import { FakeListers, info, makeNode, makePod, testCluster } from '../../testing/builders';

const claim = (
  name: string,
  o: {
    volumeName?: string;
    storageClassName?: string;
    accessModes?: string[];
    storage?: string;
  } = {},
): V1PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `pvc-${name}` },
  spec: {
    accessModes: o.accessModes ?? ['ReadWriteOnce'],
    storageClassName: o.storageClassName ?? 'standard',
    volumeName: o.volumeName,
    resources: { requests: { storage: o.storage ?? '1Gi' } },
  },
});
const csiVolume = (
  name: string,
  labels?: Record<string, string>,
  zoneAffinity?: string,
): V1PersistentVolume => ({
  metadata: { name, labels },
  spec: {
    capacity: { storage: '10Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'standard',
    csi: { driver: 'disk.csi.nimbus.dev', volumeHandle: `vol-${name}` },
    ...(zoneAffinity
      ? {
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'topology.kubernetes.io/zone', operator: 'In', values: [zoneAffinity] },
                  ],
                },
              ],
            },
          },
        }
      : {}),
  },
});
const withClaims = (name: string, claims: string[], node?: string) =>
  makePod(name, {
    node,
    spec: { volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) },
  });
const zoned = (name: string, zone: string) =>
  makeNode(name, { labels: { 'topology.kubernetes.io/zone': zone } });

function attempt(
  listers: FakeListers,
  pod: ReturnType<typeof makePod>,
  bound: ReturnType<typeof makePod>[] = [],
) {
  const { cache, framework } = testCluster([zoned('a1', 'a'), zoned('b1', 'b')], bound, {
    listers,
  });
  return new ScheduleAlgorithm(framework, cache, 0, () => 0).schedule(new Map(), info(pod));
}

const reasons = (r: ReturnType<typeof attempt>) =>
  r.kind === 'unschedulable'
    ? {
        pre: r.diagnosis.preFilterMsg,
        nodes: [...r.diagnosis.nodeToStatus.explicit()].map(([n, s]) => `${n}: ${s.message}`),
      }
    : r;

function listersWith(): FakeListers {
  const l = new FakeListers();
  l.storageClassList.push(
    {
      metadata: { name: 'standard' },
      provisioner: 'disk.csi.nimbus.dev',
      volumeBindingMode: 'Immediate',
    },
    {
      metadata: { name: 'late' },
      provisioner: 'disk.csi.nimbus.dev',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  );
  return l;
}

describe('volume plugins', () => {
  it('rejects a pod whose claim does not exist (PreFilter message)', () => {
    expect(reasons(attempt(listersWith(), withClaims('p', ['missing'])))).toMatchObject({
      pre: 'persistentvolumeclaim "missing" not found',
    });
  });

  it('VolumeBinding: unbound Immediate claims wait for the PV controller', () => {
    const l = listersWith();
    l.pvcList.push(claim('data'));
    expect(reasons(attempt(l, withClaims('p', ['data'])))).toMatchObject({
      pre: 'pod has unbound immediate PersistentVolumeClaims',
    });
  });

  it('VolumeBinding: a bound volume pins the pod to nodes its node affinity allows', () => {
    const l = listersWith();
    l.pvcList.push(claim('data', { volumeName: 'pv-b' }));
    l.pvList.push(csiVolume('pv-b', undefined, 'b'));
    expect(attempt(l, withClaims('p', ['data']))).toMatchObject({ kind: 'scheduled', node: 'b1' });
    l.pvList.length = 0;
    // VolumeZone's PreFilter looks the PV up too and rejects first, as upstream.
    expect(reasons(attempt(l, withClaims('p', ['data'])))).toMatchObject({
      pre: 'persistentvolume "pv-b" not found',
    });
  });

  it('VolumeBinding: WaitForFirstConsumer claims need a matching PV or a provisioner for the node', () => {
    const l = listersWith();
    l.pvcList.push(claim('late', { storageClassName: 'late' }));
    // Dynamic provisioning, no allowed topologies: any node.
    expect(attempt(l, withClaims('p', ['late']))).toMatchObject({ kind: 'scheduled' });
    l.storageClassList[1].allowedTopologies = [
      { matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['a'] }] },
    ];
    expect(attempt(l, withClaims('p', ['late']))).toMatchObject({ node: 'a1' });
    l.storageClassList[1].provisioner = 'kubernetes.io/no-provisioner';
    expect(reasons(attempt(l, withClaims('p', ['late'])))).toMatchObject({
      nodes: [
        "a1: node(s) didn't find available persistent volumes to bind",
        "b1: node(s) didn't find available persistent volumes to bind",
      ],
    });
    l.pvList.push({
      ...csiVolume('local-b', undefined, 'b'),
      spec: { ...csiVolume('local-b', undefined, 'b').spec, storageClassName: 'late' },
    });
    expect(attempt(l, withClaims('p', ['late']))).toMatchObject({ node: 'b1' });
  });

  it('VolumeZone: a bound volume labelled with a zone needs a node in that zone', () => {
    const l = listersWith();
    l.pvcList.push(claim('data', { volumeName: 'pv-z' }));
    l.pvList.push(csiVolume('pv-z', { 'topology.kubernetes.io/zone': 'a' }));
    const r = attempt(l, withClaims('p', ['data']));
    expect(r).toMatchObject({ kind: 'scheduled', node: 'a1' });
    l.pvList[0].metadata!.labels = { 'topology.kubernetes.io/zone': 'c' };
    expect(reasons(attempt(l, withClaims('p', ['data'])))).toMatchObject({
      nodes: [
        'a1: node(s) had no available volume zone',
        'b1: node(s) had no available volume zone',
      ],
    });
  });

  it('NodeVolumeLimits: CSINode allocatable.count caps attached volumes per driver', () => {
    const l = listersWith();
    for (const n of ['d1', 'd2', 'd3']) {
      l.pvcList.push(claim(n, { volumeName: `pv-${n}` }));
      l.pvList.push(csiVolume(`pv-${n}`));
    }
    l.csiNodeList.push(
      {
        metadata: { name: 'a1' },
        spec: {
          drivers: [{ name: 'disk.csi.nimbus.dev', nodeID: 'a1', allocatable: { count: 2 } }],
        },
      },
      {
        metadata: { name: 'b1' },
        spec: {
          drivers: [{ name: 'disk.csi.nimbus.dev', nodeID: 'b1', allocatable: { count: 1 } }],
        },
      },
    );
    const onA = withClaims('x', ['d1'], 'a1');
    // a1: 1 attached + 2 new > 2; b1: 0 + 2 > 1.
    expect(reasons(attempt(l, withClaims('p', ['d2', 'd3']), [onA]))).toMatchObject({
      nodes: ['a1: node(s) exceed max volume count', 'b1: node(s) exceed max volume count'],
    });
    // A volume already attached to the node does not count twice.
    expect(attempt(l, withClaims('p', ['d1', 'd2']), [onA])).toMatchObject({ node: 'a1' });
  });

  it('VolumeRestrictions: a ReadWriteOncePod claim in use rejects every node', () => {
    const l = listersWith();
    l.pvcList.push(claim('solo', { volumeName: 'pv-s', accessModes: ['ReadWriteOncePod'] }));
    l.pvList.push(csiVolume('pv-s'));
    expect(attempt(l, withClaims('p', ['solo']))).toMatchObject({ kind: 'scheduled' });
    expect(
      reasons(attempt(l, withClaims('p', ['solo']), [withClaims('user', ['solo'], 'a1')])),
    ).toMatchObject({
      nodes: [
        'a1: node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode',
        'b1: node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode',
      ],
    });
  });

  it('VolumeBinding PreBind: binds a static PV, selects the node for provisioning, waits for the PV controller', async () => {
    const l = listersWith();
    l.storageClassList[1].provisioner = 'disk.csi.nimbus.dev';
    l.pvcList.push(
      claim('static', { storageClassName: 'late' }),
      claim('dynamic', { storageClassName: 'late' }),
    );
    l.pvList.push({
      ...csiVolume('pv-a', undefined, 'a'),
      spec: { ...csiVolume('pv-a', undefined, 'a').spec, storageClassName: 'late' },
    });
    const cache = new SchedulerCache();
    cache.addNode(zoned('a1', 'a'));
    const calls: string[] = [];
    const api: VolumeApi = {
      claimPersistentVolume: (pv, c) => {
        calls.push(`claimRef ${pv.metadata!.name} → ${c.metadata!.name}`);
        return Promise.resolve();
      },
      selectNode: (_ns, c, node) => {
        calls.push(`selected-node ${c} = ${node}`);
        return Promise.resolve();
      },
    };
    const clock = new ManualScheduler();
    const plugin = new VolumeBinding(l, cache, api, clock);
    const pod = info(withClaims('p', ['static', 'dynamic']));
    const state = new Map();
    expect(plugin.preFilter(state, pod)).toBeUndefined();
    expect(plugin.filter(state, pod, cache.nodeInfo('a1')!)).toBeUndefined();
    const abort = new AbortController();
    let result: unknown = 'pending';
    void plugin.preBind(state, pod, 'a1', abort.signal).then((r) => (result = r));
    await clock.advance(3000);
    expect(calls).toEqual(['claimRef pv-a → static', 'selected-node dynamic = a1']);
    expect(result).toBe('pending');
    // The PV controller (not part of the scheduler) binds both claims.
    l.pvcList.forEach((c) => (c.spec!.volumeName = `pv-${c.metadata!.name}`));
    await clock.advance(1000);
    expect(result).toBeUndefined();
    // A wait is cut short when the scheduler stops.
    l.pvcList.forEach((c) => (c.spec!.volumeName = undefined));
    void plugin.preBind(state, pod, 'a1', abort.signal).then((r) => (result = r));
    await clock.advance(0);
    abort.abort();
    await clock.advance(0);
    expect(result).toMatchObject({ reasons: ['binding volumes: the scheduler is stopping'] });
  });
});

import { NodeInfo } from '../cache/node-info';
import { SchedulerCache } from '../cache/scheduler-cache';
import { info, makeNode, makePod } from '../testing/builders';
import { BalancedAllocation } from './balanced-allocation';
import { ImageLocality, normalizedImageName } from './image-locality';
import { NodeName } from './node-name';
import { NodePorts } from './node-ports';
import { NodeUnschedulable } from './node-unschedulable';
import { SchedulingGates } from './scheduling-gates';
import { TaintToleration } from './taint-toleration';

const nodeOf = (node = makeNode('n'), pods: ReturnType<typeof makePod>[] = []) => {
  const n = new NodeInfo(node.metadata!.name!);
  n.setNode(node);
  pods.forEach((p) => n.addPod(info(p)));
  return n;
};

describe('TaintToleration', () => {
  const plugin = new TaintToleration();
  const tainted = nodeOf(
    makeNode('n', {
      taints: [
        { key: 'soft', effect: 'PreferNoSchedule' },
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
        { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
      ],
    }),
  );

  it('rejects on the first untolerated NoSchedule/NoExecute taint, empty values shown as such', () => {
    expect(plugin.filter(new Map(), info(makePod('p')), tainted)?.reasons).toEqual([
      'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    ]);
    const tolerant = makePod('p', {
      spec: {
        tolerations: [
          { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
          { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' },
        ],
      },
    });
    expect(plugin.filter(new Map(), info(tolerant), tainted)).toBeUndefined();
    const wrongValue = makePod('p', {
      spec: {
        tolerations: [
          { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
          { key: 'dedicated', value: 'cpu' },
        ],
      },
    });
    expect(plugin.filter(new Map(), info(wrongValue), tainted)?.reasons).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ]);
  });

  it('scores untolerated PreferNoSchedule taints (reverse-normalised)', () => {
    const state = new Map();
    const pod = info(makePod('p'));
    plugin.preScore(state, pod);
    const clean = nodeOf(makeNode('c'));
    const scores = [
      { node: tainted, score: plugin.score(state, pod, tainted) },
      { node: clean, score: plugin.score(state, pod, clean) },
    ];
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([0, 100]);
  });
});

describe('NodeUnschedulable, NodeName, SchedulingGates', () => {
  it('rejects cordoned nodes unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const plugin = new NodeUnschedulable();
    const cordoned = nodeOf(makeNode('n', { unschedulable: true }));
    expect(plugin.filter(undefined, info(makePod('p')), cordoned)?.reasons).toEqual([
      'node(s) were unschedulable',
    ]);
    const tolerant = makePod('p', {
      spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] },
    });
    expect(plugin.filter(undefined, info(tolerant), cordoned)).toBeUndefined();
  });

  it('rejects other nodes than spec.nodeName', () => {
    const plugin = new NodeName();
    const pod = info(makePod('p', { spec: { nodeName: 'a' } }));
    expect(plugin.filter(undefined, pod, nodeOf(makeNode('b')))?.reasons).toEqual([
      "node(s) didn't match the requested node name",
    ]);
    expect(plugin.filter(undefined, pod, nodeOf(makeNode('a')))).toBeUndefined();
  });

  it('gates pods with scheduling gates', () => {
    const gated = info(makePod('p', { spec: { schedulingGates: [{ name: 'a' }, { name: 'b' }] } }));
    expect(new SchedulingGates().preEnqueue(gated)?.message).toBe(
      'waiting for scheduling gates: [a b]',
    );
    expect(new SchedulingGates().preEnqueue(info(makePod('q')))).toBeUndefined();
  });
});

describe('NodePorts', () => {
  const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: string) =>
    makePod(name, {
      spec: {
        containers: [
          { name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] },
        ],
      },
    });

  it('skips pods without host ports and rejects used ports (0.0.0.0 conflicts with any IP)', () => {
    const plugin = new NodePorts();
    expect(plugin.preFilter(new Map(), info(makePod('p')))?.code).toBe(5);
    const node = nodeOf(makeNode('n'), [withPort('a', 8080, '10.0.0.1')]);
    const reason = ["node(s) didn't have free ports for the requested pod ports"];
    expect(plugin.filter(new Map(), info(withPort('p', 8080)), node)?.reasons).toEqual(reason);
    expect(plugin.filter(new Map(), info(withPort('p', 8080, '10.0.0.1')), node)?.reasons).toEqual(
      reason,
    );
    expect(plugin.filter(new Map(), info(withPort('p', 8080, '10.0.0.2')), node)).toBeUndefined();
    expect(
      plugin.filter(new Map(), info(withPort('p', 8080, undefined, 'UDP')), node),
    ).toBeUndefined();
    expect(plugin.filter(new Map(), info(withPort('p', 9090)), node)).toBeUndefined();
  });
});

describe('BalancedAllocation and ImageLocality', () => {
  it('skips best-effort pods and favours balanced cpu/memory fractions', () => {
    const plugin = new BalancedAllocation();
    expect(plugin.preScore(new Map(), info(makePod('p')))?.code).toBe(5);
    const node = nodeOf(makeNode('n', { cpu: '4', memory: '16Gi' }));
    expect(plugin.score(new Map(), info(makePod('p', { cpu: '2', memory: '8Gi' })), node)).toBe(
      100,
    );
    // cpu 0.5, memory 0 → std 0.25 → 75
    expect(plugin.score(new Map(), info(makePod('p', { cpu: '2' })), node)).toBe(75);
  });

  it('scores nodes that already have the image, scaled by size and spread', () => {
    const cache = new SchedulerCache();
    const image = { names: ['nginx:1.27'], sizeBytes: 500 * 1024 * 1024 };
    cache.addNode(makeNode('a', { images: [image] }));
    cache.addNode(makeNode('b'));
    const plugin = new ImageLocality(cache);
    const pod = info(makePod('p'));
    // 500 MiB × (1 of 2 nodes) = 250 MiB → 100 × (250 − 23) / (1000 − 23) = 23
    expect(plugin.score(new Map(), pod, cache.nodeInfo('a')!)).toBe(23);
    expect(plugin.score(new Map(), pod, cache.nodeInfo('b')!)).toBe(0);
    expect(normalizedImageName('nginx')).toBe('nginx:latest');
    expect(normalizedImageName('registry:5000/app')).toBe('registry:5000/app:latest');
  });
});

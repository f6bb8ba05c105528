import { NodeInfo } from '../cache/node-info';
import { info, makeNode, makePod } from '../testing/builders';
import { NodeResourcesFit } from './node-resources-fit';

const nodeWith = (node = makeNode('n'), pods: ReturnType<typeof makePod>[] = []) => {
  const n = new NodeInfo('n');
  n.setNode(node);
  pods.forEach((p) => n.addPod(info(p)));
  return n;
};
const fit = new NodeResourcesFit();
const filter = (pod: ReturnType<typeof makePod>, node: NodeInfo) =>
  fit.filter(new Map(), info(pod), node)?.reasons;

describe('NodeResourcesFit', () => {
  it('compares requests with allocatable minus the requests of pods on the node', () => {
    const node = nodeWith(makeNode('n', { cpu: '4', memory: '8Gi' }), [
      makePod('a', { cpu: '3', memory: '6Gi' }),
    ]);
    expect(filter(makePod('p', { cpu: '1', memory: '2Gi' }), node)).toBeUndefined();
    expect(filter(makePod('p', { cpu: '1001m', memory: '2Gi' }), node)).toEqual([
      'Insufficient cpu',
    ]);
    expect(filter(makePod('p', { cpu: '2', memory: '3Gi' }), node)).toEqual([
      'Insufficient cpu',
      'Insufficient memory',
    ]);
  });

  it('says "Too many pods" at the pods limit, even for pods without requests', () => {
    const node = nodeWith(makeNode('n', { pods: '1' }), [makePod('a')]);
    expect(filter(makePod('p'), node)).toEqual(['Too many pods']);
    expect(filter(makePod('p', { cpu: '5' }), node)).toEqual(['Too many pods', 'Insufficient cpu']);
  });

  it('checks ephemeral storage and extended resources by name', () => {
    const node = nodeWith(
      makeNode('n', { allocatable: { 'ephemeral-storage': '10Gi', 'nvidia.com/gpu': '1' } }),
    );
    const pod = makePod('p');
    pod.spec!.containers[0].resources = {
      requests: { 'ephemeral-storage': '20Gi', 'nvidia.com/gpu': '2', 'example.com/foo': '1' },
    };
    expect(filter(pod, node)).toEqual([
      'Insufficient ephemeral-storage',
      'Insufficient nvidia.com/gpu',
      'Insufficient example.com/foo',
    ]);
  });

  it('counts init containers as a floor, sidecars on top, and the pod overhead', () => {
    const node = nodeWith(makeNode('n', { cpu: '4' }));
    const pod = makePod('p', { cpu: '1' });
    pod.spec!.initContainers = [
      { name: 'init', image: 'x', resources: { requests: { cpu: '3' } } },
      {
        name: 'sidecar',
        image: 'x',
        restartPolicy: 'Always',
        resources: { requests: { cpu: '500m' } },
      },
    ];
    pod.spec!.overhead = { cpu: '250m' };
    // max(1 + 0.5, 3) + 0.25 = 3.25 CPUs
    expect(info(pod).requests.milliCPU).toBe(3250);
    pod.spec!.overhead = { cpu: '1100m' };
    expect(filter(pod, node)).toEqual(['Insufficient cpu']);
  });

  it('scores emptier nodes higher (LeastAllocated, 100m/200Mi for pods without requests)', () => {
    const empty = nodeWith(makeNode('n', { cpu: '4', memory: '16Gi' }));
    const busy = nodeWith(makeNode('n', { cpu: '4', memory: '16Gi' }), [
      makePod('a', { cpu: '2', memory: '8Gi' }),
    ]);
    const pod = info(makePod('p'));
    // cpu (4000-100)/4000 → 97, memory (16Gi-200Mi)/16Gi → 98; mean 97
    expect(fit.score(new Map(), pod, empty)).toBe(97);
    // cpu (4000-2100)/4000 → 47, memory → 48; mean 47
    expect(fit.score(new Map(), pod, busy)).toBe(47);
  });
});

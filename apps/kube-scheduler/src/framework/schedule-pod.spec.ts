import { info, makeNode, makePod, testCluster } from '../testing/builders';
import { numFeasibleNodesToFind, ScheduleAlgorithm } from './schedule-pod';

describe('numFeasibleNodesToFind (percentageOfNodesToScore)', () => {
  it('checks every node below 100 and adapts above', () => {
    expect(numFeasibleNodesToFind(0, 50)).toBe(50);
    expect(numFeasibleNodesToFind(0, 100)).toBe(100);
    expect(numFeasibleNodesToFind(0, 1000)).toBe(420); // 50 − 8 = 42 %
    expect(numFeasibleNodesToFind(0, 5000)).toBe(500); // 50 − 40 = 10 %
    expect(numFeasibleNodesToFind(0, 6000)).toBe(300); // 2 % → at least 5 %
    expect(numFeasibleNodesToFind(0, 150)).toBe(100); // 49 % = 73 → at least 100
    expect(numFeasibleNodesToFind(30, 1000)).toBe(300);
  });
});

describe('ScheduleAlgorithm', () => {
  const nodes = (n: number) =>
    Array.from({ length: n }, (_, i) => makeNode(`n${String(i).padStart(4, '0')}`));

  it('filters only enough nodes and continues where the last attempt stopped', () => {
    const { cache, framework } = testCluster(nodes(1000));
    const algorithm = new ScheduleAlgorithm(framework, cache, 0, () => 0);
    const first = algorithm.schedule(new Map(), info(makePod('a')));
    expect(first).toMatchObject({ kind: 'scheduled', evaluatedNodes: 420, feasibleNodes: 420 });
    const second = algorithm.schedule(new Map(), info(makePod('b')));
    expect(second).toMatchObject({ evaluatedNodes: 420 });
    // The scan rotates: the two attempts looked at different nodes.
    expect((first as { node: string }).node).not.toBe((second as { node: string }).node);
  });

  it('breaks ties with the injected random source (reservoir sampling)', () => {
    const { cache, framework } = testCluster(nodes(3));
    const pick = (r: number) =>
      (
        new ScheduleAlgorithm(framework, cache, 0, () => r).schedule(
          new Map(),
          info(makePod('p')),
        ) as {
          node: string;
        }
      ).node;
    expect(pick(0)).toBe('n0002');
    expect(pick(0.99)).toBe('n0000');
  });

  it('narrows to the nodes a PreFilter named and explains the rest', () => {
    const { cache, framework } = testCluster([...nodes(2), makeNode('full', { pods: '0' })]);
    const pod = makePod('ds', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['full'] }] },
              ],
            },
          },
        },
      },
    });
    const r = new ScheduleAlgorithm(framework, cache, 0, () => 0).schedule(new Map(), info(pod));
    expect(r.kind).toBe('unschedulable');
    if (r.kind === 'unschedulable') {
      expect(r.diagnosis.nodeToStatus.get('full').reasons).toEqual(['Too many pods']);
      expect(r.diagnosis.nodeToStatus.get('n0000').reasons).toEqual([
        "node(s) didn't satisfy plugin(s) [NodeAffinity]",
      ]);
    }
  });

  it('reports no nodes when the cluster has none', () => {
    const { cache, framework } = testCluster([]);
    const r = new ScheduleAlgorithm(framework, cache, 0, () => 0).schedule(
      new Map(),
      info(makePod('p')),
    );
    expect(r).toMatchObject({ kind: 'unschedulable', noNodes: true });
  });
});

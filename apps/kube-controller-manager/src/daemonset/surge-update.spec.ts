import type { PodObject } from '@app/kube-client';
import { surgeRollout, surplusWithSurge } from './surge-update';

const NOW = Date.parse('2026-01-01T12:00:00Z');
let seq = 0;
const pod = (hash: string, available: boolean): PodObject => ({
  metadata: {
    name: `p${++seq}`,
    creationTimestamp: new Date(NOW - 100_000 + seq * 1000).toISOString(),
    labels: { 'controller-revision-hash': hash },
  },
  status: {
    phase: 'Running',
    conditions: [
      {
        type: 'Ready',
        status: available ? 'True' : 'False',
        lastTransitionTime: new Date(NOW - 60_000).toISOString(),
      },
    ],
  },
});

describe('DaemonSet rolling update with maxSurge (upstream rollingUpdate, surge branch)', () => {
  it('surges onto at most maxSurge nodes with an available old pod', () => {
    const nodes = ['a', 'b', 'c'].map((node) => ({
      node,
      shouldRun: true,
      pods: [pod('old', true)],
    }));
    const plan = surgeRollout(nodes, 'new', 1, 0, NOW);
    expect(plan).toEqual({ deletes: [], createOn: ['a'] });
    expect(surgeRollout(nodes, 'new', 2, 0, NOW).createOn).toEqual(['a', 'b']);
  });

  it('replaces an unavailable old pod at once, beyond maxSurge', () => {
    const nodes = [
      { node: 'a', shouldRun: true, pods: [pod('old', true), pod('new', false)] },
      { node: 'b', shouldRun: true, pods: [pod('old', false)] },
      { node: 'c', shouldRun: true, pods: [pod('old', true)] },
    ];
    // a is surging (new pod not yet available): no room for c, but b's broken pod is replaced.
    expect(surgeRollout(nodes, 'new', 1, 0, NOW)).toEqual({ deletes: [], createOn: ['b'] });
  });

  it('deletes the old pod once the new one on its node is available', () => {
    const old = pod('old', true);
    const nodes = [
      { node: 'a', shouldRun: true, pods: [old, pod('new', true)] },
      { node: 'b', shouldRun: true, pods: [pod('old', true)] },
    ];
    expect(surgeRollout(nodes, 'new', 1, 0, NOW)).toEqual({ deletes: [old], createOn: ['b'] });
  });

  it('keeps the oldest pod of each revision on a node, nothing more', () => {
    const [o1, o2, n1, n2] = [
      pod('old', true),
      pod('old', true),
      pod('new', true),
      pod('new', true),
    ];
    expect(surplusWithSurge([n2, o2, n1, o1], 'new')).toEqual([o2, n2]);
  });
});

import type { PodObject } from '@app/kube-client';
import { podsInDeletionOrder } from './deletion-order';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function pod(
  name: string,
  opts: {
    node?: string;
    phase?: string;
    readyFor?: number;
    age?: number;
    restarts?: number;
    cost?: string;
  } = {},
): PodObject {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: ago(opts.age ?? 100),
      annotations: opts.cost ? { 'controller.kubernetes.io/pod-deletion-cost': opts.cost } : {},
    },
    spec: { nodeName: opts.node ?? 'n1', containers: [] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions:
        opts.readyFor === undefined
          ? [{ type: 'Ready', status: 'False' }]
          : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(opts.readyFor) }],
      containerStatuses: [
        { name: 'c', image: 'i', imageID: '', ready: true, restartCount: opts.restarts ?? 0 },
      ],
    },
  };
}

const order = (pods: PodObject[]) =>
  podsInDeletionOrder(pods, pods, NOW).map((p) => p.metadata?.name);

describe('victim order on scale down (upstream ActivePodsWithRanks)', () => {
  it('unassigned before assigned, Pending < Unknown < Running, not ready before ready', () => {
    expect(
      order([
        pod('ready', { readyFor: 60 }),
        pod('unready'),
        pod('unknown', { phase: 'Unknown' }),
        pod('pending', { phase: 'Pending' }),
        pod('unassigned', { node: '' }),
      ]),
    ).toEqual(['unassigned', 'pending', 'unknown', 'unready', 'ready']);
  });

  it('lower pod-deletion-cost first, then doubled-up nodes first', () => {
    expect(
      order([
        pod('expensive', { readyFor: 60, cost: '100', node: 'n2' }),
        pod('cheap', { readyFor: 60, cost: '-5', node: 'n2' }),
        pod('alone', { readyFor: 60, node: 'n3' }),
        pod('crowded', { readyFor: 60, node: 'n1' }),
        pod('crowded-2', { readyFor: 60, node: 'n1' }),
      ]).slice(0, 2),
    ).toEqual(['cheap', 'crowded']);
  });

  it('ready for less time first (log2 buckets), then more restarts, then newer', () => {
    expect(order([pod('old', { readyFor: 3600 }), pod('fresh', { readyFor: 2 })])).toEqual([
      'fresh',
      'old',
    ]);
    expect(
      order([pod('calm', { age: 10 }), pod('crashy', { age: 10, restarts: 4, node: 'n2' })]),
    ).toEqual(['crashy', 'calm']);
    expect(order([pod('elder', { age: 7200, node: 'n2' }), pod('young', { age: 5 })])).toEqual([
      'young',
      'elder',
    ]);
  });
});

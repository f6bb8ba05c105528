import type { V1PodAffinityTerm } from '@app/kube-client';
import { ScheduleAlgorithm } from '../../framework/schedule-pod';
import { info, makeNode, makePod, testCluster } from '../../testing/builders';

const zoned = (name: string, zone: string) =>
  makeNode(name, { labels: { 'topology.kubernetes.io/zone': zone } });
const term = (
  labels: Record<string, string>,
  topologyKey = 'kubernetes.io/hostname',
): V1PodAffinityTerm => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
});

function placeWith(bound: ReturnType<typeof makePod>[], pod: ReturnType<typeof makePod>) {
  const nodes = [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')];
  const { cache, framework } = testCluster(nodes, bound);
  return new ScheduleAlgorithm(framework, cache, 0, () => 0).schedule(new Map(), info(pod));
}

describe('InterPodAffinity', () => {
  it('places a pod with required affinity in the zone of the matching pod', () => {
    const pod = makePod('p', {
      spec: {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              term({ app: 'db' }, 'topology.kubernetes.io/zone'),
            ],
          },
        },
      },
    });
    const r = placeWith([makePod('db', { labels: { app: 'db' }, node: 'b1' })], pod);
    expect(r).toMatchObject({ kind: 'scheduled', node: 'b1' });
  });

  it('lets the first pod of a self-affine group go anywhere', () => {
    const pod = makePod('p', {
      labels: { app: 'cache' },
      spec: {
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' })] },
        },
      },
    });
    expect(placeWith([], pod)).toMatchObject({ kind: 'scheduled' });
  });

  it('reports affinity and anti-affinity reasons', () => {
    const affine = makePod('p', {
      spec: {
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'none' })] },
        },
      },
    });
    const r = placeWith([makePod('x', { labels: { app: 'x' }, node: 'a1' })], affine);
    expect(r.kind).toBe('unschedulable');
    if (r.kind === 'unschedulable') {
      expect([...r.diagnosis.nodeToStatus.explicit()].map(([, s]) => s.reasons[0])).toEqual([
        "node(s) didn't match pod affinity rules",
        "node(s) didn't match pod affinity rules",
        "node(s) didn't match pod affinity rules",
      ]);
    }
    const anti = makePod('p', {
      labels: { app: 'web' },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              term({ app: 'web' }, 'topology.kubernetes.io/zone'),
            ],
          },
        },
      },
    });
    const r2 = placeWith([makePod('w', { labels: { app: 'web' }, node: 'a1' })], anti);
    expect(r2).toMatchObject({ kind: 'scheduled', node: 'b1' });
  });

  it("honours existing pods' anti-affinity", () => {
    const existing = makePod('loner', {
      labels: { app: 'loner' },
      node: 'a1',
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              term({ app: 'web' }, 'topology.kubernetes.io/zone'),
            ],
          },
        },
      },
    });
    const r = placeWith([existing], makePod('p', { labels: { app: 'web' } }));
    expect(r).toMatchObject({ kind: 'scheduled', node: 'b1' });
    const blocked = testCluster([zoned('a1', 'a')], [existing]);
    const r2 = new ScheduleAlgorithm(blocked.framework, blocked.cache, 0, () => 0).schedule(
      new Map(),
      info(makePod('p', { labels: { app: 'web' } })),
    );
    expect(r2.kind === 'unschedulable' && r2.diagnosis.nodeToStatus.get('a1').reasons).toEqual([
      "node(s) didn't satisfy existing pods anti-affinity rules",
    ]);
  });

  it('prefers nodes near pods matched by preferred affinity', () => {
    const pod = makePod('p', {
      spec: {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: term({ app: 'db' }) },
            ],
          },
        },
      },
    });
    expect(placeWith([makePod('db', { labels: { app: 'db' }, node: 'a2' })], pod)).toMatchObject({
      node: 'a2',
    });
  });
});

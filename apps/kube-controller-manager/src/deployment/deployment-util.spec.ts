import type { DeploymentObject, ReplicaSetObject } from '@app/kube-client';
import {
  findActiveOrLatest,
  maxScaledDown,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  scaledValue,
  setNewReplicaSetAnnotations,
} from './deployment-util';

const deployment = (
  replicas: number,
  rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string },
  type = 'RollingUpdate',
): DeploymentObject => ({
  metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'x' } },
  spec: {
    replicas,
    selector: {},
    template: {},
    strategy: { type, rollingUpdate: rollingUpdate as never },
  },
});

const rs = (
  name: string,
  replicas: number,
  available = replicas,
  created = 0,
): ReplicaSetObject => ({
  metadata: { name, creationTimestamp: new Date(created * 1000).toISOString() },
  spec: { replicas, selector: {} },
  status: { replicas, availableReplicas: available },
});

describe('rolling update arithmetic (upstream deployment/util)', () => {
  it('scales percentages: surge rounds up, unavailable rounds down', () => {
    expect(scaledValue('25%', 3, true)).toBe(1);
    expect(scaledValue('25%', 3, false)).toBe(0);
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue(2, 10, false)).toBe(2);
    expect(() => scaledValue('abc', 10, false)).toThrow(/invalid value/);
  });

  it('never resolves both fenceposts to 0 (maxUnavailable becomes 1)', () => {
    expect(resolveFenceposts(0, 0, 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(undefined, undefined, 3)).toEqual({ surge: 1, unavailable: 0 });
  });

  it('maxUnavailable is capped by replicas and 0 for Recreate', () => {
    expect(maxUnavailable(deployment(2, { maxSurge: 0, maxUnavailable: 5 }))).toBe(2);
    expect(maxUnavailable(deployment(3, {}, 'Recreate'))).toBe(0);
    expect(maxSurge(deployment(3, {}, 'Recreate'))).toBe(0);
    expect(maxSurge(deployment(4, { maxSurge: '50%' }))).toBe(2);
  });

  it('the new ReplicaSet grows up to replicas + maxSurge pods in total', () => {
    const d = deployment(3);
    const old = rs('old', 3);
    const next = rs('new', 0);
    expect(newRSNewReplicas(d, [old, next], next)).toBe(1);
    // Already at 4 pods in total: no more room.
    expect(newRSNewReplicas(d, [rs('old', 3), rs('new', 1)], rs('new', 1))).toBe(1);
    expect(newRSNewReplicas(d, [rs('old', 2), rs('new', 1)], rs('new', 1))).toBe(2);
    // Recreate: everything at once.
    expect(newRSNewReplicas(deployment(3, {}, 'Recreate'), [next], next)).toBe(3);
    // Surge 2: capped by replicas - new.
    const wide = deployment(3, { maxSurge: 5, maxUnavailable: 0 });
    expect(newRSNewReplicas(wide, [old, next], next)).toBe(3);
  });

  it('old ReplicaSets may only lose what keeps replicas - maxUnavailable available', () => {
    const d = deployment(3);
    // 3 old + 1 new not yet available: 4 - 3 - 1 = 0.
    expect(maxScaledDown(d, [rs('old', 3), rs('new', 1, 0)], rs('new', 1, 0))).toBe(0);
    // the new pod became available: one old pod may go.
    expect(maxScaledDown(d, [rs('old', 3), rs('new', 1, 1)], rs('new', 1, 1))).toBe(1);
    const loose = deployment(4, { maxSurge: 0, maxUnavailable: 2 });
    expect(maxScaledDown(loose, [rs('old', 4), rs('new', 0)], rs('new', 0))).toBe(2);
  });

  it('finds the only active ReplicaSet, else the new or newest one', () => {
    const a = rs('a', 0, 0, 1);
    const b = rs('b', 0, 0, 2);
    expect(findActiveOrLatest(undefined, [a, b])?.metadata?.name).toBe('b');
    expect(findActiveOrLatest(rs('n', 0), [a, b])?.metadata?.name).toBe('n');
    expect(findActiveOrLatest(rs('n', 2), [a, b])?.metadata?.name).toBe('n');
    expect(findActiveOrLatest(rs('n', 2), [rs('c', 1)])).toBeUndefined();
  });

  it('scales several active ReplicaSets proportionally, leftovers to the largest', () => {
    const d = deployment(20, { maxSurge: 3, maxUnavailable: 2 });
    const big = rs('big', 8, 8, 1);
    const small = rs('small', 5, 5, 2);
    big.metadata!.annotations = { 'deployment.kubernetes.io/max-replicas': '13' };
    small.metadata!.annotations = { 'deployment.kubernetes.io/max-replicas': '13' };
    const { sizes, operation } = proportionalSizes(d, [big, small]);
    expect(operation).toBe('up');
    expect((sizes.get('big') ?? 0) + (sizes.get('small') ?? 0)).toBe(23);
    expect(sizes.get('big')).toBe(14);
    expect(sizes.get('small')).toBe(9);
    const down = proportionalSizes(deployment(0), [big, small]);
    expect([down.sizes.get('big'), down.sizes.get('small'), down.operation]).toEqual([
      0,
      0,
      'down',
    ]);
  });

  it('records the previous revision in revision-history when a ReplicaSet comes back', () => {
    const d = deployment(3);
    const back = rs('back', 0);
    back.metadata!.annotations = { 'deployment.kubernetes.io/revision': '1' };
    expect(setNewReplicaSetAnnotations(d, back, 3, true)).toBe(true);
    expect(back.metadata?.annotations).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
      'kubernetes.io/change-cause': 'x',
    });
    expect(setNewReplicaSetAnnotations(d, back, 5, true)).toBe(true);
    expect(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    const fresh = rs('fresh', 0);
    setNewReplicaSetAnnotations(d, fresh, 1, false);
    expect(fresh.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(
      fresh.metadata?.annotations?.['deployment.kubernetes.io/revision-history'],
    ).toBeUndefined();
  });
});

import type { PodDisruptionBudgetObject, PodObject } from '@app/kube-client';
import { DELETION_TIMEOUT_MS, expectedCounts, pdbStatus } from './pdb-status';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const pdb = (
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {},
): PodDisruptionBudgetObject => ({
  metadata: { name: 'web', generation: 2 },
  spec: spec,
  status: status as never,
});
const pod = (name: string, ready = true, deleting = false): PodObject => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T11:59:00Z' } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('PodDisruptionBudget status (upstream disruption controller)', () => {
  it('derives desiredHealthy from minAvailable (int: pods, %: scale) and maxUnavailable', () => {
    expect(expectedCounts(pdb({ minAvailable: 2 }), 3, () => 99)).toEqual({
      expectedCount: 3,
      desiredHealthy: 2,
    });
    expect(expectedCounts(pdb({ minAvailable: '50%' }), 3, () => 5)).toEqual({
      expectedCount: 5,
      desiredHealthy: 3,
    });
    expect(expectedCounts(pdb({ maxUnavailable: 1 }), 3, () => 4)).toEqual({
      expectedCount: 4,
      desiredHealthy: 3,
    });
    expect(expectedCounts(pdb({ maxUnavailable: '100%' }), 3, () => 4)).toEqual({
      expectedCount: 4,
      desiredHealthy: 0,
    });
  });

  it('counts ready pods not being deleted or recently evicted', () => {
    const evictedAt = new Date(NOW - 10_000).toISOString();
    const { status, nextExpiry } = pdbStatus(
      pdb({ minAvailable: 1 }, { disruptedPods: { c: evictedAt, gone: evictedAt } }),
      [pod('a'), pod('b', false), pod('c'), pod('d', true, true), pod('e')],
      { expectedCount: 5, desiredHealthy: 1 },
      NOW,
    );
    expect(status).toMatchObject({
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 5,
      observedGeneration: 2,
      disruptedPods: { c: evictedAt },
    });
    expect(status.conditions?.[0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'True',
      reason: 'SufficientPods',
    });
    expect(nextExpiry).toBe(NOW - 10_000 + DELETION_TIMEOUT_MS);
  });

  it('allows nothing without room or without known controllers', () => {
    const tight = pdbStatus(
      pdb({ minAvailable: 2 }),
      [pod('a'), pod('b')],
      { expectedCount: 2, desiredHealthy: 2 },
      NOW,
    );
    expect(tight.status).toMatchObject({ disruptionsAllowed: 0 });
    expect(tight.status.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'InsufficientPods',
    });
    const unknown = pdbStatus(pdb({ maxUnavailable: 1 }), [pod('a')], undefined, NOW);
    expect(unknown.status).toMatchObject({ disruptionsAllowed: 0 });
    expect(unknown.status.conditions?.[0]).toMatchObject({ reason: 'SyncFailed' });
  });
});

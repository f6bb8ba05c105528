import { formatTime } from '@app/controller-runtime';
import type { PodDisruptionBudgetObject, PodObject } from '@app/kube-client';
import { scaledValue } from '../deployment/deployment-util';
import { isPodReady } from '../util/pod-state';

type PdbStatus = NonNullable<PodDisruptionBudgetObject['status']>;

/** upstream DeletionTimeout: an eviction not followed by a deletion within 2 minutes is forgotten. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/**
 * upstream getExpectedPodCount: `desiredHealthy` from minAvailable / maxUnavailable and the
 * pods' expected number (their controllers' scale for percentages and maxUnavailable).
 */
export function expectedCounts(
  pdb: PodDisruptionBudgetObject,
  podCount: number,
  expectedScale: () => number,
): { expectedCount: number; desiredHealthy: number } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expectedCount = expectedScale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') {
      return { expectedCount: podCount, desiredHealthy: spec.minAvailable };
    }
    const expectedCount = expectedScale();
    return {
      expectedCount,
      desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true),
    };
  }
  return { expectedCount: podCount, desiredHealthy: 0 };
}

/**
 * upstream updatePdbStatus / countHealthyPods / buildDisruptedPodMap: healthy = ready pods not
 * being deleted and not recently evicted; disruptionsAllowed = healthy - desiredHealthy (never
 * below 0, and 0 while the spec change is not observed); condition DisruptionAllowed.
 */
export function pdbStatus(
  pdb: PodDisruptionBudgetObject,
  pods: readonly PodObject[],
  counts: { expectedCount: number; desiredHealthy: number } | undefined,
  now: number,
): { status: PdbStatus; nextExpiry?: number } {
  const disrupted: Record<string, string> = {};
  let nextExpiry: number | undefined;
  const names = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = names.get(name);
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!pod || pod.metadata?.deletionTimestamp || expires <= now) {
      continue;
    }
    disrupted[name] = at;
    nextExpiry = nextExpiry === undefined ? expires : Math.min(nextExpiry, expires);
  }
  const currentHealthy = pods.filter(
    (p) => !p.metadata?.deletionTimestamp && !disrupted[p.metadata?.name ?? ''] && isPodReady(p),
  ).length;
  const expectedCount = counts?.expectedCount ?? 0;
  const desiredHealthy = counts?.desiredHealthy ?? 0;
  const generation = pdb.metadata?.generation ?? 0;
  const allowed = counts === undefined ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const previous = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const condition =
    counts === undefined
      ? { status: 'False', reason: 'SyncFailed', message: 'found no controllers for pods' }
      : allowed > 0
        ? { status: 'True', reason: 'SufficientPods', message: '' }
        : { status: 'False', reason: 'InsufficientPods', message: '' };
  const status: PdbStatus = {
    observedGeneration: generation,
    disruptedPods: Object.keys(disrupted).length > 0 ? disrupted : undefined,
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: [
      {
        type: 'DisruptionAllowed',
        ...condition,
        observedGeneration: generation,
        lastTransitionTime:
          previous && previous.status === condition.status
            ? previous.lastTransitionTime
            : formatTime(now),
      },
    ],
  };
  return {
    status: Object.fromEntries(
      Object.entries(status).filter(([, v]) => v !== undefined),
    ) as PdbStatus,
    nextExpiry,
  };
}

import type { PodObject } from '@app/kube-client';
import { isPodReady, readySince } from './pod-state';

/** upstream controller.kubernetes.io/pod-deletion-cost. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface Ranked {
  pod: PodObject;
  /** Active pods of the same controller on the pod's node (doubled up ranks higher). */
  rank: number;
}

/**
 * upstream ActivePodsWithRanks.Less (pkg/controller/controller_utils.go, 1.32, with
 * PodDeletionCost and LogarithmicScaleDown on): sorts the pods to delete first to the front.
 * Unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower deletion cost;
 * more replicas on the same node; ready for less time (log2 buckets); more restarts; newer.
 */
export function podsInDeletionOrder(
  pods: readonly PodObject[],
  related: readonly PodObject[],
  now: number,
): PodObject[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) {
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
  }
  const ranked: Ranked[] = pods.map((pod) => ({
    pod,
    rank: pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0,
  }));
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.map((r) => r.pod);
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: Ranked, b: Ranked, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) {
    return na === '' ? -1 : 1;
  }
  const oa = PHASE_ORDINAL[pa.status?.phase ?? ''] ?? 0;
  const ob = PHASE_ORDINAL[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) {
    return oa - ob;
  }
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) {
    return ra ? 1 : -1;
  }
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) {
    return ca < cb ? -1 : 1;
  }
  if (a.rank !== b.rank) {
    return b.rank - a.rank;
  }
  if (ra && rb) {
    const byReady = compareTimes(readySince(pa), readySince(pb), now, pa, pb);
    if (byReady !== 0) {
      return byReady;
    }
  }
  const restarts = maxRestarts(pb) - maxRestarts(pa);
  if (restarts !== 0) {
    return restarts;
  }
  return compareTimes(created(pa), created(pb), now, pa, pb);
}

/**
 * Newer (or unknown) times first. Under LogarithmicScaleDown two known times compare by the
 * floor of log2 of their age in nanoseconds, ties broken by UID.
 */
function compareTimes(
  ta: number | undefined,
  tb: number | undefined,
  now: number,
  pa: PodObject,
  pb: PodObject,
): number {
  if (ta === tb) {
    return 0;
  }
  if (ta === undefined || tb === undefined) {
    // upstream afterOrZero: a zero time sorts first
    return ta === undefined ? -1 : 1;
  }
  const diff = logRank(now - ta) - logRank(now - tb);
  if (diff === 0) {
    const ua = pa.metadata?.uid ?? '';
    const ub = pb.metadata?.uid ?? '';
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  }
  return diff;
}

function logRank(ageMs: number): number {
  return ageMs > 0 ? Math.floor(Math.log2(ageMs * 1e6)) : -1;
}

function created(pod: PodObject): number | undefined {
  const t = Date.parse(pod.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? undefined : t;
}

function deletionCost(pod: PodObject): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: PodObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

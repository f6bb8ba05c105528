import type { DeploymentObject, ReplicaSetObject } from '@app/kube-client';

/** upstream deployment/util annotation keys. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** upstream annotationsToSkip: Deployment annotations never copied onto its ReplicaSets. */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

export type IntOrString = number | string | undefined;

export const replicasOf = (obj: { spec?: { replicas?: number } } | undefined): number =>
  obj?.spec?.replicas ?? 0;

/**
 * upstream intstr.GetScaledValueFromIntOrPercent: an int as is, `"25%"` of `total` rounded up
 * or down.
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (value === undefined) {
    return 0;
  }
  if (typeof value === 'number') {
    return value;
  }
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    const n = Number(value);
    if (Number.isInteger(n)) {
      return n;
    }
    throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export const isRollingUpdate = (d: DeploymentObject): boolean =>
  (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/**
 * upstream ResolveFenceposts: maxSurge rounded up, maxUnavailable rounded down; both 0 would
 * deadlock a rollout, so maxUnavailable becomes 1.
 */
export function resolveFenceposts(
  maxSurge: IntOrString,
  maxUnavailable: IntOrString,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) {
    unavailable = 1;
  }
  return { surge, unavailable };
}

/** upstream MaxUnavailable. */
export function maxUnavailable(d: DeploymentObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) {
    return 0;
  }
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** upstream MaxSurge. */
export function maxSurge(d: DeploymentObject): number {
  if (!isRollingUpdate(d)) {
    return 0;
  }
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

/** upstream GetReplicaCountForReplicaSets: the sum of `spec.replicas`. */
export const specReplicas = (rss: readonly (ReplicaSetObject | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);

/** upstream GetActualReplicaCountForReplicaSets: the sum of `status.replicas`. */
export const actualReplicas = (rss: readonly (ReplicaSetObject | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);

export const readyReplicas = (rss: readonly (ReplicaSetObject | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);

export const availableReplicas = (rss: readonly (ReplicaSetObject | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/**
 * upstream NewRSNewReplicas: how many replicas the new ReplicaSet may have now. Rolling: up to
 * `replicas + maxSurge` pods in total, never more than `replicas` in the new set; Recreate: all.
 */
export function newRSNewReplicas(
  d: DeploymentObject,
  allRSs: readonly (ReplicaSetObject | undefined)[],
  newRS: ReplicaSetObject,
): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) {
    return desired;
  }
  const current = specReplicas(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) {
    return replicasOf(newRS);
  }
  const scaleUp = Math.min(maxTotal - current, desired - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/**
 * How many pods the old ReplicaSets may lose in this step of a rolling update (upstream
 * reconcileOldReplicaSets' maxScaledDown): total minus the minimum available minus the new
 * set's pods that are not available yet.
 */
export function maxScaledDown(
  d: DeploymentObject,
  allRSs: readonly (ReplicaSetObject | undefined)[],
  newRS: ReplicaSetObject | undefined,
): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS?.status?.availableReplicas ?? 0);
  return specReplicas(allRSs) - minAvailable - newUnavailable;
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const raw = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) ? n : 0;
}

export const maxRevision = (rss: readonly ReplicaSetObject[]): number =>
  rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

const created = (o: { metadata?: { creationTimestamp?: string; name?: string } }) =>
  Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

/** upstream ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export const byCreation = (a: ReplicaSetObject, b: ReplicaSetObject): number =>
  created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** upstream ReplicaSetsByRevision: lowest revision first, then by creation. */
export const byRevision = (a: ReplicaSetObject, b: ReplicaSetObject): number =>
  revisionOf(a) - revisionOf(b) || byCreation(a, b);

/** upstream ReplicaSetsBySizeNewer: larger first, then newer first. */
export const bySizeNewer = (a: ReplicaSetObject, b: ReplicaSetObject): number =>
  replicasOf(b) - replicasOf(a) || byCreation(b, a);

/** upstream ReplicaSetsBySizeOlder: larger first, then older first. */
export const bySizeOlder = (a: ReplicaSetObject, b: ReplicaSetObject): number =>
  replicasOf(b) - replicasOf(a) || byCreation(a, b);

export const activeReplicaSets = (rss: readonly (ReplicaSetObject | undefined)[]) =>
  rss.filter((rs): rs is ReplicaSetObject => !!rs && replicasOf(rs) > 0);

/**
 * upstream copyDeploymentAnnotationsToReplicaSet + SetNewReplicaSetAnnotations: copies the
 * Deployment's annotations (minus the skip list), raises the revision (recording the previous
 * one in `revision-history` when a ReplicaSet comes back in a rollback) and, for a ReplicaSet
 * about to be created, the desired/max replicas. Answers whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: DeploymentObject,
  rs: ReplicaSetObject,
  newRevision: number,
  exists: boolean,
): boolean {
  rs.metadata ??= {};
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.has(k) && annotations[k] !== v) {
      annotations[k] = v;
      changed = true;
    }
  }
  const oldRaw = annotations[REVISION_ANNOTATION];
  const oldRevision = oldRaw === undefined ? 0 : Number(oldRaw);
  if (oldRaw !== undefined && !Number.isInteger(oldRevision)) {
    return changed;
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${oldRaw}` : oldRaw;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) {
    changed = true;
  }
  return changed;
}

/** upstream SetReplicasAnnotations. */
export function setReplicasAnnotations(
  rs: ReplicaSetObject,
  desired: number,
  max: number,
): boolean {
  rs.metadata ??= {};
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSetObject,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata?.annotations ?? {};
  return (
    a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

function intAnnotation(rs: ReplicaSetObject, key: string): number | undefined {
  const raw = rs.metadata?.annotations?.[key];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

export const desiredReplicasAnnotation = (rs: ReplicaSetObject) =>
  intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);

/** upstream IsSaturated: the new set runs all replicas, all available. */
export function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) {
    return false;
  }
  const desired = replicasOf(d);
  return (
    replicasOf(rs) === desired &&
    desiredReplicasAnnotation(rs) === desired &&
    (rs.status?.availableReplicas ?? 0) === desired
  );
}

/**
 * upstream FindActiveOrLatest: the only ReplicaSet with replicas, or (none has any) the new one
 * or else the newest old one; undefined when several are active.
 */
export function findActiveOrLatest(
  newRS: ReplicaSetObject | undefined,
  oldRSs: readonly ReplicaSetObject[],
): ReplicaSetObject | undefined {
  if (!newRS && oldRSs.length === 0) {
    return undefined;
  }
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) {
    return newRS ?? newestFirst[0];
  }
  return active.length === 1 ? active[0] : undefined;
}

/**
 * upstream GetProportion / getReplicaSetFraction: this ReplicaSet's share of a proportional
 * scale, from its size relative to the Deployment's size before the scale (max-replicas).
 */
export function proportionOf(
  rs: ReplicaSetObject,
  d: DeploymentObject,
  toAdd: number,
  added: number,
): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) {
    return 0;
  }
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSetObject, d: DeploymentObject): number {
  if (replicasOf(d) === 0) {
    return -replicasOf(rs);
  }
  const maxReplicas = replicasOf(d) + maxSurge(d);
  let before = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? 0;
  if (before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) {
      return 0;
    }
  }
  // Go's integer.RoundToInt32: half away from zero.
  const size = (replicasOf(rs) * maxReplicas) / before;
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
}

/**
 * The sizes a proportional scale gives each active ReplicaSet (upstream scale(), rolling
 * update with several active sets): new total `replicas + maxSurge`, spread by each set's
 * fraction, leftovers to the first (largest) set.
 */
export function proportionalSizes(
  d: DeploymentObject,
  active: readonly ReplicaSetObject[],
): { sizes: Map<string, number>; operation: 'up' | 'down' | '' } {
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - specReplicas(active);
  const sorted = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    const p = toAdd !== 0 ? proportionOf(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata?.name ?? '', replicasOf(rs) + p);
    added += p;
  }
  if (sorted.length > 0 && toAdd !== 0) {
    const first = sorted[0].metadata?.name ?? '';
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  }
  return { sizes, operation: toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '' };
}

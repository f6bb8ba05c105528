import { formatTime } from '@app/controller-runtime';
import type { JobObject, PodObject } from '@app/kube-client';
import { isPodActive, isPodReady } from '../util/pod-state';
import {
  OrderedIntervals,
  completionIndexOf,
  indexFailureCount,
  indexIgnoredFailureCount,
} from './indexes';
import { matchPodFailurePolicy } from './pod-failure-policy';
import { matchSuccessPolicy } from './success-policy';

export type JobStatus = NonNullable<JobObject['status']>;
export type JobCondition = NonNullable<JobStatus['conditions']>[number];

/** batch/v1 JobTrackingFinalizer: a pod is counted in the Job's status before it may go. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

/** upstream DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** upstream batch.JobReason* with the job controller's messages. */
export const JOB_REASONS = {
  completionsReached: ['CompletionsReached', 'Reached expected number of succeeded pods'],
  backoffLimitExceeded: ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
  deadlineExceeded: ['DeadlineExceeded', 'Job was active longer than specified deadline'],
  maxFailedIndexesExceeded: [
    'MaxFailedIndexesExceeded',
    'Job has exceeded the specified maximal number of failed indexes',
  ],
  failedIndexes: ['FailedIndexes', 'Job has failed indexes'],
} as const;

export const isFinished = (job: JobObject): boolean =>
  (job.status?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

/** batch/v1 JobControllerName: Jobs whose `spec.managedBy` names another controller are left alone. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
export const isManagedByJobController = (job: JobObject): boolean =>
  !job.spec?.managedBy || job.spec.managedBy === JOB_CONTROLLER_NAME;

export const isIndexed = (job: JobObject): boolean => job.spec?.completionMode === 'Indexed';
export const hasBackoffLimitPerIndex = (job: JobObject): boolean =>
  isIndexed(job) && typeof job.spec?.backoffLimitPerIndex === 'number';
export const hasTrackingFinalizer = (pod: PodObject): boolean =>
  (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** onlyReplaceFailedPods: podReplacementPolicy Failed (implied by a podFailurePolicy). */
export const onlyReplaceFailedPods = (job: JobObject): boolean =>
  job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

/** upstream isPodFailed: phase Failed, or (unless only failed pods count) deleted unfinished. */
export function isPodFailed(pod: PodObject, job: JobObject): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') {
    return true;
  }
  if (onlyReplaceFailedPods(job)) {
    return false;
  }
  return !!pod.metadata?.deletionTimestamp && phase !== 'Succeeded';
}

/** controller.CountTerminatingPods: deleted but not yet in a terminal phase. */
export const isTerminating = (pod: PodObject): boolean =>
  !!pod.metadata?.deletionTimestamp &&
  pod.status?.phase !== 'Succeeded' &&
  pod.status?.phase !== 'Failed';

/** A Job condition as the job controller writes it (lastProbeTime = lastTransitionTime = now). */
export function jobCondition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): JobCondition {
  const t = formatTime(now);
  return { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t };
}

const findCondition = (job: JobObject, type: string) =>
  (job.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');

/**
 * Everything one sync of a Job knows before it acts (upstream syncJobCtx): the pods, the
 * counters including pods finished since the last status write, the completed / failed
 * indexes, and the condition the Job is heading for (FailureTarget, SuccessCriteriaMet, or
 * for a Job that met its completions the Complete condition itself).
 */
export interface JobContext {
  job: JobObject;
  pods: PodObject[];
  active: PodObject[];
  ready: number;
  terminating: number;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  /** UIDs whose finalizer removal is in flight (the cache may still show it). */
  expectedRmFinalizers: ReadonlySet<string>;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: OrderedIntervals;
  succeededIndexes: OrderedIntervals;
  failedIndexes?: OrderedIntervals;
  /** Per pending index, the last failed pod, kept until its replacement carries its count. */
  delayedDeletionPerIndex: Map<number, PodObject>;
  finishedCondition?: JobCondition;
  /** When `activeDeadlineSeconds` runs out (epoch ms), while it has not. */
  deadlineAt?: number;
}

const uidOf = (pod: PodObject) => pod.metadata?.uid ?? '';

/** getValidPodsWithFilter: tracked, not yet counted pods (with a valid index, if Indexed). */
function uncountedPods(
  ctx: Pick<JobContext, 'job' | 'pods' | 'expectedRmFinalizers'>,
  skip: ReadonlySet<string>,
  filter: (pod: PodObject) => boolean,
): PodObject[] {
  const completions = ctx.job.spec?.completions ?? 0;
  return ctx.pods.filter((p) => {
    if (!hasTrackingFinalizer(p) || skip.has(uidOf(p)) || ctx.expectedRmFinalizers.has(uidOf(p))) {
      return false;
    }
    if (isIndexed(ctx.job)) {
      const ix = completionIndexOf(p);
      if (ix === undefined || ix >= completions) {
        return false;
      }
    }
    return filter(p);
  });
}

/** When a pod finished: its latest container termination, else its creation. */
export function finishedAt(pod: PodObject): number {
  let latest = 0;
  for (const c of [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ]) {
    const t = Date.parse(c.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t)) {
      latest = Math.max(latest, t);
    }
  }
  return latest || Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
}

/** upstream getRemainingTimeForFailuresCount: 10 s × 2^(failures−1), at most 10 min. */
export function backoffRemainingMs(failures: number, lastFailure: number, now: number): number {
  if (failures <= 0) {
    return 0;
  }
  const backoff = Math.min(
    POD_FAILURE_BACKOFF_MS * 2 ** (failures - 1),
    MAX_POD_FAILURE_BACKOFF_MS,
  );
  const elapsed = now - lastFailure;
  return elapsed < backoff ? backoff - elapsed : 0;
}

/** The global back-off: failures since the last success, timed from the last failure. */
export function globalBackoffMs(job: JobObject, pods: readonly PodObject[], now: number): number {
  const lastSuccess = Math.max(
    0,
    ...pods.filter((p) => p.status?.phase === 'Succeeded').map(finishedAt),
  );
  const failures = pods.filter((p) => isPodFailed(p, job)).map(finishedAt);
  const after = failures.filter((t) => t >= lastSuccess);
  return backoffRemainingMs(after.length, Math.max(0, ...after), now);
}

/** The back-off of one index from its last failed pod (backoffLimitPerIndex). */
export function indexBackoffMs(lastFailed: PodObject | undefined, now: number): number {
  if (!lastFailed) {
    return 0;
  }
  const failures = indexFailureCount(lastFailed) + indexIgnoredFailureCount(lastFailed) + 1;
  return backoffRemainingMs(failures, finishedAt(lastFailed), now);
}

/** isIndexFailed: a FailIndex rule matched, or the index used up backoffLimitPerIndex. */
function isIndexFailed(job: JobObject, pod: PodObject): boolean {
  if (job.spec?.podFailurePolicy) {
    const match = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
    if (match.action === 'FailIndex') {
      return true;
    }
    if (!match.countFailed) {
      return false;
    }
  }
  return indexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

/** pastBackoffLimitOnFailure: container restarts of running pods (restartPolicy OnFailure). */
function pastBackoffLimitOnFailure(job: JobObject, pods: readonly PodObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') {
    return false;
  }
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase === 'Running' || p.status?.phase === 'Pending') {
      for (const c of [
        ...(p.status?.initContainerStatuses ?? []),
        ...(p.status?.containerStatuses ?? []),
      ]) {
        restarts += c.restartCount ?? 0;
      }
    }
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/**
 * The first half of upstream syncJob: counters (status + newly finished tracked pods +
 * uncounted UIDs, failures an Ignore rule matched left out), then the condition the Job is
 * heading for in upstream's order — an existing SuccessCriteriaMet or FailureTarget, a FailJob
 * rule, the backoff limit, the active deadline, max failed indexes / failed indexes, the
 * success policy.
 */
export function evaluateJob(
  job: JobObject,
  pods: PodObject[],
  now: number,
  expectedRmFinalizers: ReadonlySet<string> = new Set(),
): JobContext {
  const status = job.status ?? {};
  const uncounted = status.uncountedTerminatedPods ?? {};
  const active = pods.filter(isPodActive);
  const ctx: JobContext = {
    job,
    pods,
    active,
    ready: active.filter(isPodReady).length,
    terminating: pods.filter(isTerminating).length,
    uncountedSucceeded: new Set(uncounted.succeeded ?? []),
    uncountedFailed: new Set(uncounted.failed ?? []),
    expectedRmFinalizers,
    succeeded: 0,
    failed: 0,
    prevSucceededIndexes: new OrderedIntervals(),
    succeededIndexes: new OrderedIntervals(),
    delayedDeletionPerIndex: new Map(),
  };
  const newSucceeded = uncountedPods(
    ctx,
    ctx.uncountedSucceeded,
    (p) => p.status?.phase === 'Succeeded',
  );
  const newFailed = uncountedPods(ctx, ctx.uncountedFailed, (p) => isPodFailed(p, job));
  const policy = job.spec?.podFailurePolicy;
  const counted = newFailed.filter((p) => matchPodFailurePolicy(policy, p).countFailed);
  ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
  ctx.failed = (status.failed ?? 0) + counted.length + ctx.uncountedFailed.size;

  const suspended = job.spec?.suspend === true;
  const startTime = Date.parse(status.startTime ?? '');
  const deadline = job.spec?.activeDeadlineSeconds;
  const fail = (reason: readonly [string, string]) =>
    jobCondition('FailureTarget', 'True', reason[0], reason[1], now);

  ctx.finishedCondition = findCondition(job, 'SuccessCriteriaMet');
  if (!ctx.finishedCondition) {
    const target = findCondition(job, 'FailureTarget');
    if (target) {
      ctx.finishedCondition = target;
    } else if (policy) {
      for (const p of pods) {
        const message = isPodFailed(p, job)
          ? matchPodFailurePolicy(policy, p).failJobMessage
          : undefined;
        if (message !== undefined) {
          ctx.finishedCondition = jobCondition(
            'FailureTarget',
            'True',
            'PodFailurePolicy',
            message,
            now,
          );
          break;
        }
      }
    }
  }
  if (!ctx.finishedCondition) {
    if (ctx.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      ctx.finishedCondition = fail(JOB_REASONS.backoffLimitExceeded);
    } else if (deadline !== undefined && deadline !== null && !suspended) {
      // A Job without startTime gets it in this sync: its deadline starts now.
      const deadlineAt = (Number.isNaN(startTime) ? now : startTime) + deadline * 1000;
      if (now >= deadlineAt) {
        ctx.finishedCondition = fail(JOB_REASONS.deadlineExceeded);
      } else {
        ctx.deadlineAt = deadlineAt;
      }
    }
  }

  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 0;
    ctx.prevSucceededIndexes = OrderedIntervals.parse(status.completedIndexes, completions);
    ctx.succeededIndexes = ctx.prevSucceededIndexes.with(
      pods
        .filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p))
        .map(completionIndexOf)
        .filter((ix): ix is number => ix !== undefined && ix < completions),
    );
    ctx.succeeded = ctx.succeededIndexes.total();
    if (hasBackoffLimitPerIndex(job)) {
      ctx.failedIndexes = OrderedIntervals.parse(status.failedIndexes, completions).with(
        uncountedPods(ctx, new Set(), (p) => isPodFailed(p, job) && isIndexFailed(job, p))
          .map(completionIndexOf)
          .filter((ix): ix is number => ix !== undefined),
      );
      const failedTotal = ctx.failedIndexes.total();
      if (!ctx.finishedCondition) {
        const max = job.spec?.maxFailedIndexes;
        if (max !== undefined && max !== null && failedTotal > max) {
          ctx.finishedCondition = fail(JOB_REASONS.maxFailedIndexesExceeded);
        } else if (failedTotal > 0 && failedTotal + ctx.succeededIndexes.total() >= completions) {
          ctx.finishedCondition = fail(JOB_REASONS.failedIndexes);
        }
      }
      ctx.delayedDeletionPerIndex = podsWithDelayedDeletionPerIndex(ctx);
    }
    if (!ctx.finishedCondition) {
      const message = matchSuccessPolicy(
        job.spec?.successPolicy,
        completions,
        ctx.succeededIndexes,
      );
      if (message !== undefined) {
        ctx.finishedCondition = jobCondition(
          'SuccessCriteriaMet',
          'True',
          'SuccessPolicy',
          message,
          now,
        );
      }
    }
  }
  return ctx;
}

/**
 * getPodsWithDelayedDeletionPerIndex: for each index still pending and not running, its last
 * failed pod — the finalizer stays until the replacement pod carries the failure count on.
 */
function podsWithDelayedDeletionPerIndex(ctx: JobContext): Map<number, PodObject> {
  const activeIndexes = new Set(ctx.active.map(completionIndexOf));
  const result = new Map<number, PodObject>();
  const absolute = (p: PodObject) => indexFailureCount(p) + indexIgnoredFailureCount(p);
  for (const p of uncountedPods(ctx, new Set(), (pod) => isPodFailed(pod, ctx.job))) {
    const ix = completionIndexOf(p) as number;
    if (ctx.succeededIndexes.has(ix) || ctx.failedIndexes?.has(ix) || activeIndexes.has(ix)) {
      continue;
    }
    const last = result.get(ix);
    if (!last || (absolute(last) <= absolute(p) && finishedAt(p) >= finishedAt(last))) {
      result.set(ix, p);
    }
  }
  return result;
}

/** How many pods should run (manageJob's wantActive). */
export function wantActive(ctx: JobContext): number {
  const spec = ctx.job.spec;
  const parallelism = spec?.parallelism ?? 1;
  if (spec?.completions === undefined || spec.completions === null) {
    return ctx.succeeded > 0 ? ctx.active.length : parallelism;
  }
  return Math.max(0, Math.min(spec.completions - ctx.succeeded, parallelism));
}

/**
 * The annotations a replacement pod of an index gets (addIndexFailureCountAnnotation): the
 * failure counts of the index's last failed pod, plus that pod's own failure.
 */
export function indexFailureAnnotations(
  job: JobObject,
  lastFailed: PodObject | undefined,
): Record<string, string> {
  if (!lastFailed) {
    return { 'batch.kubernetes.io/job-index-failure-count': '0' };
  }
  let failures = indexFailureCount(lastFailed);
  let ignored = indexIgnoredFailureCount(lastFailed);
  if (matchPodFailurePolicy(job.spec?.podFailurePolicy, lastFailed).countFailed) {
    failures++;
  } else {
    ignored++;
  }
  return {
    'batch.kubernetes.io/job-index-failure-count': String(failures),
    ...(ignored > 0
      ? { 'batch.kubernetes.io/job-index-ignored-failure-count': String(ignored) }
      : {}),
  };
}

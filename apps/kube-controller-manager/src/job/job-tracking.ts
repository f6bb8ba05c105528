import type { PodObject } from '@app/kube-client';
import { completionIndexOf } from './indexes';
import {
  hasTrackingFinalizer,
  isIndexed,
  isPodFailed,
  jobCondition,
  type JobCondition,
  type JobContext,
  type JobStatus,
} from './job-state';
import { matchPodFailurePolicy } from './pod-failure-policy';

/** upstream MaxUncountedPods: UIDs per status write, so big Jobs do not starve small ones. */
export const MAX_UNCOUNTED_PODS = 500;

/** What trackJobStatusAndRemoveFinalizers decides before it writes anything. */
export interface TrackPlan {
  /** Status to write before finalizers go: new uncounted UIDs, indexes, interim conditions. */
  status: JobStatus;
  needsFlush: boolean;
  podsToRemoveFinalizer: PodObject[];
  /** UIDs of pods that still carry the finalizer (and are not being stripped already). */
  uidsWithFinalizer: Set<string>;
  /** The terminal condition (Complete / Failed) to add once nothing is uncounted. */
  finishedCondition?: JobCondition;
  reachedMaxUncounted: boolean;
}

const uidOf = (pod: PodObject) => pod.metadata?.uid ?? '';

/**
 * The first half of upstream trackJobStatusAndRemoveFinalizers: finished tracked pods join
 * `status.uncountedTerminatedPods` (succeeded indexes go straight to completedIndexes), the
 * finalizers that may go are chosen (a failed pod of a pending index waits for its
 * replacement), and the interim FailureTarget / SuccessCriteriaMet conditions are recorded.
 */
export function planTracking(
  ctx: JobContext,
  status: JobStatus,
  needsFlush: boolean,
  now: number,
): TrackPlan {
  const job = ctx.job;
  const indexed = isIndexed(job);
  const completions = job.spec?.completions ?? 0;
  const pods = indexed
    ? [...ctx.pods].sort((a, b) => (completionIndexOf(a) ?? -1) - (completionIndexOf(b) ?? -1))
    : ctx.pods;
  const uidsWithFinalizer = new Set(
    pods
      .filter((p) => hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(uidOf(p)))
      .map(uidOf),
  );
  const cleaned = countRemovedFinalizers(status, uidsWithFinalizer);
  needsFlush ||= cleaned.changed;
  const uncounted = {
    succeeded: [...(cleaned.status.uncountedTerminatedPods?.succeeded ?? [])],
    failed: [...(cleaned.status.uncountedTerminatedPods?.failed ?? [])],
  };
  const next: JobStatus = { ...cleaned.status, uncountedTerminatedPods: uncounted };
  const finishing =
    ctx.finishedCondition !== undefined && ctx.finishedCondition.type !== 'SuccessCriteriaMet';
  const podsToRemoveFinalizer: PodObject[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMaxUncounted = false;
  for (const pod of pods) {
    const uid = uidOf(pod);
    if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) {
      continue;
    }
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, failed)) {
      continue;
    }
    podsToRemoveFinalizer.push(pod);
    const ix = completionIndexOf(pod);
    if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
      if (indexed) {
        if (ix !== undefined && ix < completions && !ctx.prevSucceededIndexes.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!uncounted.succeeded.includes(uid)) {
        uncounted.succeeded.push(uid);
        needsFlush = true;
      }
    } else if (failed || finishing) {
      // A Job that is failing counts every pod it stops as failed.
      const validIndex = !indexed || (ix !== undefined && ix < completions);
      if (!uncounted.failed.includes(uid) && validIndex) {
        if (matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed) {
          uncounted.failed.push(uid);
          needsFlush = true;
        }
      }
    }
    if (
      newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >=
      MAX_UNCOUNTED_PODS
    ) {
      reachedMaxUncounted = true;
      break;
    }
  }
  if (indexed) {
    const succeededIndexes = ctx.succeededIndexes.with(newSucceededIndexes);
    const text = succeededIndexes.toString();
    needsFlush ||= text !== (status.completedIndexes ?? '');
    next.succeeded = succeededIndexes.total();
    next.completedIndexes = text;
    if (ctx.failedIndexes) {
      const failedText = ctx.failedIndexes.toString();
      needsFlush ||= failedText !== status.failedIndexes;
      next.failedIndexes = failedText;
    }
  }
  let finishedCondition = ctx.finishedCondition;
  const conditions = [...(next.conditions ?? [])];
  const hasTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (
    finishedCondition?.type === 'FailureTarget' ||
    finishedCondition?.type === 'SuccessCriteriaMet'
  ) {
    if (!hasTrue(finishedCondition.type)) {
      conditions.push(finishedCondition);
      needsFlush = true;
    }
    finishedCondition = jobCondition(
      finishedCondition.type === 'FailureTarget' ? 'Failed' : 'Complete',
      'True',
      finishedCondition.reason ?? '',
      finishedCondition.message ?? '',
      now,
    );
  }
  next.conditions = conditions.length > 0 ? conditions : undefined;
  return {
    status: next,
    needsFlush,
    podsToRemoveFinalizer,
    uidsWithFinalizer,
    finishedCondition,
    reachedMaxUncounted,
  };
}

/**
 * canRemoveFinalizer: when the Job is being deleted or finishing, the pod succeeded, or it
 * failed — unless it is the last failed pod of an index whose replacement does not exist yet.
 */
function canRemoveFinalizer(ctx: JobContext, pod: PodObject, failed: boolean): boolean {
  if (
    ctx.job.metadata?.deletionTimestamp ||
    ctx.finishedCondition ||
    pod.status?.phase === 'Succeeded'
  ) {
    return true;
  }
  if (!failed) {
    return false;
  }
  const ix = completionIndexOf(pod);
  return ix === undefined || ctx.delayedDeletionPerIndex.get(ix)?.metadata?.uid !== uidOf(pod);
}

/**
 * cleanUncountedPodsWithoutFinalizers: UIDs whose finalizer is gone leave the uncounted lists
 * and move into the `succeeded` / `failed` counters.
 */
export function countRemovedFinalizers(
  status: JobStatus,
  uidsWithFinalizer: ReadonlySet<string>,
): { status: JobStatus; changed: boolean } {
  const succeeded = status.uncountedTerminatedPods?.succeeded ?? [];
  const failed = status.uncountedTerminatedPods?.failed ?? [];
  const keptSucceeded = succeeded.filter((uid) => uidsWithFinalizer.has(uid));
  const keptFailed = failed.filter((uid) => uidsWithFinalizer.has(uid));
  const changed = keptSucceeded.length !== succeeded.length || keptFailed.length !== failed.length;
  return {
    changed,
    status: {
      ...status,
      succeeded: (status.succeeded ?? 0) + succeeded.length - keptSucceeded.length,
      failed: (status.failed ?? 0) + failed.length - keptFailed.length,
      uncountedTerminatedPods: {
        ...(keptSucceeded.length ? { succeeded: keptSucceeded } : {}),
        ...(keptFailed.length ? { failed: keptFailed } : {}),
      },
    },
  };
}

/**
 * enactJobFinished: the terminal condition (and completionTime) once no pod is uncounted and,
 * as 1.31+ do, none is still terminating. Answers whether the Job finished now.
 */
export function enactFinished(
  status: JobStatus,
  finishedCondition: JobCondition | undefined,
  terminating: number,
): boolean {
  if (!finishedCondition) {
    return false;
  }
  const uncounted = status.uncountedTerminatedPods ?? {};
  if ((uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) > 0 || terminating > 0) {
    return false;
  }
  status.conditions = ensureCondition(status.conditions ?? [], finishedCondition).conditions;
  if (finishedCondition.type === 'Complete') {
    status.completionTime = finishedCondition.lastTransitionTime;
  }
  return true;
}

/**
 * ensureJobConditionStatus: sets the condition of that type (replacing one that differs in
 * status, reason or message); a False condition is not added where none was.
 */
export function ensureCondition(
  conditions: readonly JobCondition[],
  condition: JobCondition,
): { conditions: JobCondition[]; changed: boolean } {
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i >= 0) {
    const c = conditions[i];
    if (
      c.status === condition.status &&
      c.reason === condition.reason &&
      c.message === condition.message
    ) {
      return { conditions: [...conditions], changed: false };
    }
    const next = [...conditions];
    next[i] = condition;
    return { conditions: next, changed: true };
  }
  if (condition.status === 'False') {
    return { conditions: [...conditions], changed: false };
  }
  return { conditions: [...conditions, condition], changed: true };
}

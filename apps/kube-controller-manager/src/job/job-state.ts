import { formatTime } from '@app/controller-runtime';
import type { JobObject, PodObject } from '@app/kube-client';
import { isPodActive, isPodReady } from '../util/pod-state';

export type JobStatus = NonNullable<JobObject['status']>;
export type JobCondition = NonNullable<JobStatus['conditions']>[number];

/** upstream DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** Why a Job ended (upstream batch.JobReason* and the job controller's messages). */
export interface JobFinish {
  type: 'Complete' | 'Failed';
  /** The interim condition 1.31+ sets first: SuccessCriteriaMet / FailureTarget. */
  interim: 'SuccessCriteriaMet' | 'FailureTarget';
  reason: string;
  message: string;
}

export const COMPLETIONS_REACHED: JobFinish = {
  type: 'Complete',
  interim: 'SuccessCriteriaMet',
  reason: 'CompletionsReached',
  message: 'Reached expected number of succeeded pods',
};
export const BACKOFF_LIMIT_EXCEEDED: JobFinish = {
  type: 'Failed',
  interim: 'FailureTarget',
  reason: 'BackoffLimitExceeded',
  message: 'Job has reached the specified backoff limit',
};
export const DEADLINE_EXCEEDED: JobFinish = {
  type: 'Failed',
  interim: 'FailureTarget',
  reason: 'DeadlineExceeded',
  message: 'Job was active longer than specified deadline',
};

/** What one sync of a Job sees and wants (upstream syncJob, NonIndexed completion mode). */
export interface JobPlan {
  active: PodObject[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  /** Set when the Job is done now. */
  finish?: JobFinish;
  /** How many pods should run now (creates or deletes the difference). */
  wantActive: number;
  /** Creating replacements must wait this long (pod failure back-off). */
  backoffWaitMs?: number;
  /** When `activeDeadlineSeconds` runs out (epoch ms). */
  deadlineAt?: number;
}

export const isFinished = (job: JobObject): boolean =>
  (job.status?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

const finishedAt = (pod: PodObject): number => {
  let latest = 0;
  for (const c of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(
      c.state?.terminated?.finishedAt ?? c.lastState?.terminated?.finishedAt ?? '',
    );
    if (!Number.isNaN(t)) {
      latest = Math.max(latest, t);
    }
  }
  return latest || Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
};

/**
 * upstream syncJob's arithmetic: succeeded/failed pods (never fewer than already recorded;
 * with `restartPolicy: OnFailure` container restarts count as failures), the backoff limit,
 * `activeDeadlineSeconds`, completions reached, and how many pods should be active
 * (`min(parallelism, completions - succeeded)`; 0 while suspended).
 */
export function planJob(job: JobObject, pods: readonly PodObject[], now: number): JobPlan {
  const spec = job.spec ?? { template: {} };
  const active = pods.filter(isPodActive);
  const terminating = pods.filter(
    (p) =>
      p.metadata?.deletionTimestamp &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  ).length;
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  let restarts = 0;
  if (spec.template?.spec?.restartPolicy === 'OnFailure') {
    for (const p of active) {
      for (const c of p.status?.containerStatuses ?? []) {
        restarts += c.restartCount ?? 0;
      }
    }
  }
  const succeeded = Math.max(job.status?.succeeded ?? 0, succeededPods.length);
  const failed = Math.max(job.status?.failed ?? 0, failedPods.length + restarts);
  const plan: JobPlan = {
    active,
    ready: active.filter(isPodReady).length,
    terminating,
    succeeded,
    failed,
    wantActive: 0,
  };
  const startTime = Date.parse(job.status?.startTime ?? '');
  if (spec.activeDeadlineSeconds !== undefined && !Number.isNaN(startTime) && !spec.suspend) {
    plan.deadlineAt = startTime + spec.activeDeadlineSeconds * 1000;
  }
  const backoffLimit = spec.backoffLimit ?? 6;
  const completions = spec.completions;
  if (failed > backoffLimit) {
    plan.finish = BACKOFF_LIMIT_EXCEEDED;
    return plan;
  }
  if (plan.deadlineAt !== undefined && now >= plan.deadlineAt) {
    plan.finish = DEADLINE_EXCEEDED;
    return plan;
  }
  const complete =
    completions === undefined || completions === null
      ? succeeded > 0 && active.length === 0
      : succeeded >= completions;
  if (complete) {
    plan.finish = COMPLETIONS_REACHED;
    return plan;
  }
  if (spec.suspend) {
    return plan;
  }
  const parallelism = spec.parallelism ?? 1;
  plan.wantActive =
    completions === undefined || completions === null
      ? succeeded > 0
        ? 0
        : parallelism
      : Math.min(parallelism, completions - succeeded);
  if (failedPods.length > 0 && active.length < plan.wantActive) {
    const last = Math.max(...failedPods.map(finishedAt));
    const delay = Math.min(
      POD_FAILURE_BACKOFF_MS * 2 ** (failedPods.length - 1),
      MAX_POD_FAILURE_BACKOFF_MS,
    );
    if (now < last + delay) {
      plan.backoffWaitMs = last + delay - now;
    }
  }
  return plan;
}

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

/** The status a sync writes: counts, startTime, and on finish the two conditions + completionTime. */
export function jobStatusOf(job: JobObject, plan: JobPlan, now: number): JobStatus {
  const status: JobStatus = {
    ...(job.status ?? {}),
    active: plan.active.length || undefined,
    ready: plan.ready,
    terminating: plan.terminating,
    succeeded: plan.succeeded || undefined,
    failed: plan.failed || undefined,
    uncountedTerminatedPods: {},
  };
  if (!job.spec?.suspend && !status.startTime) {
    status.startTime = formatTime(now);
  }
  if (plan.finish) {
    const conditions = [...(status.conditions ?? [])];
    for (const type of [plan.finish.interim, plan.finish.type]) {
      if (!conditions.some((c) => c.type === type)) {
        conditions.push(jobCondition(type, 'True', plan.finish.reason, plan.finish.message, now));
      }
    }
    status.conditions = conditions;
    status.active = undefined;
    if (plan.finish.type === 'Complete') {
      status.completionTime ??= formatTime(now);
    }
  }
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
}

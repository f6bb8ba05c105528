import {
  Controller,
  EventType,
  formatTime,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isNotFound,
  type InformerAdapter,
  type JobObject,
  type KubeRest,
  type PodObject,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { UidTrackingExpectations } from '../util/controller-expectations';
import { controllerRefOf, newControllerRef } from '../util/owner-refs';
import { PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../util/pod-control';
import { isPodReady, podKey } from '../util/pod-state';
import { jsonEqual, writeStatus } from '../util/status-update';
import { FinalizerExpectations } from './finalizer-expectations';
import { completionIndexOf, firstPendingIndexes } from './indexes';
import {
  activePodsForRemoval,
  indexedPodTemplate,
  jobPodTemplate,
  REMOVE_TRACKING_FINALIZER,
} from './job-pods';
import {
  JOB_REASONS,
  evaluateJob,
  globalBackoffMs,
  hasBackoffLimitPerIndex,
  hasTrackingFinalizer,
  indexBackoffMs,
  isFinished,
  isIndexed,
  isManagedByJobController,
  jobCondition,
  onlyReplaceFailedPods,
  wantActive,
  type JobContext,
  type JobStatus,
} from './job-state';
import {
  countRemovedFinalizers,
  ensureCondition,
  enactFinished,
  planTracking,
} from './job-tracking';

const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' } as const;
/** upstream MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobControllerDeps {
  rest: KubeRest;
  jobs: InformerAdapter<JobObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
  workers?: number;
}

const jobPath = (ns: string, name: string) =>
  `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs/${encodeURIComponent(name)}`;
const podPath = (pod: PodObject) =>
  `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;
const jobKeyOf = (job: JobObject) => `${job.metadata?.namespace}/${job.metadata?.name}`;

/** What manageJob changed: pods it created or deleted, and a back-off to wait out. */
interface ManageResult {
  active: number;
  ready: number;
  terminating: number;
  waitMs?: number;
  error?: Error;
}

/** Go's omitempty on JobStatus: zero counters and empty strings/lists are not written. */
function normalize(status: JobStatus): JobStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) {
    const omit =
      v === undefined ||
      ((k === 'active' || k === 'succeeded' || k === 'failed') && v === 0) ||
      (k === 'completedIndexes' && v === '') ||
      (k === 'conditions' && Array.isArray(v) && v.length === 0);
    if (omit) {
      continue;
    }
    if (k === 'uncountedTerminatedPods') {
      const u = v as NonNullable<JobStatus['uncountedTerminatedPods']>;
      out[k] = {
        ...(u.succeeded?.length ? { succeeded: u.succeeded } : {}),
        ...(u.failed?.length ? { failed: u.failed } : {}),
      };
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * upstream pkg/controller/job (`job-controller`): pods tracked with the
 * `batch.kubernetes.io/job-tracking` finalizer and counted through
 * `status.uncountedTerminatedPods`; NonIndexed and Indexed completion (completedIndexes,
 * backoffLimitPerIndex, failedIndexes, maxFailedIndexes), podFailurePolicy, successPolicy,
 * podReplacementPolicy, suspend, activeDeadlineSeconds, the pod failure back-off on the cluster
 * clock; FailureTarget / SuccessCriteriaMet before Failed / Complete as 1.31+ do. Pods whose
 * Job is gone or finished lose the finalizer through an orphan-pod queue.
 */
export class JobController {
  private readonly controller: Controller;
  private readonly orphans: Controller;
  private readonly requeue: ClockRequeue;
  private readonly expectations: UidTrackingExpectations;
  private readonly finalizers = new FinalizerExpectations();
  private readonly podControl: PodControl;

  constructor(private readonly deps: JobControllerDeps) {
    this.expectations = new UidTrackingExpectations(deps.now);
    this.podControl = new PodControl(deps.rest, deps.recorder);
    this.controller = new Controller({
      name: 'job-controller',
      queueName: 'job',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: deps.workers ?? 5,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.pods],
    });
    this.orphans = new Controller({
      name: 'job-orphan-pod',
      queueName: 'job_orphan_pod',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.syncOrphanPod(key),
      waitFor: [deps.pods, deps.jobs],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.jobs, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        const job = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        const key = jobKeyOf(job);
        this.expectations.delete(key);
        this.finalizers.delete(key);
        this.requeue.cancel(key);
        // Its pods may still carry the finalizer.
        for (const pod of this.podsOf(job)) {
          this.podEvent(pod, 'update');
        }
        return false;
      },
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.podEvent(pod, 'add'),
      onUpdate: (oldPod, pod) => {
        if (oldPod.metadata?.resourceVersion !== pod.metadata?.resourceVersion) {
          this.podEvent(
            pod,
            pod.metadata?.deletionTimestamp && !oldPod.metadata?.deletionTimestamp
              ? 'delete'
              : 'update',
          );
        }
      },
      onDelete: (obj) => this.podEvent(isDeletedFinalStateUnknown(obj) ? obj.obj : obj, 'gone'),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.controller.start(), this.orphans.start()]);
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await Promise.all([this.controller.stop(), this.orphans.stop()]);
  }

  private podsOf(job: JobObject): PodObject[] {
    return this.deps.podsByNamespace
      .byIndex(job.metadata?.namespace ?? '')
      .filter((p) => controllerRefOf(p)?.uid === job.metadata?.uid);
  }

  private podEvent(
    pod: PodObject | DeletedFinalStateUnknown<PodObject>,
    kind: 'add' | 'update' | 'delete' | 'gone',
  ): void {
    const p = isDeletedFinalStateUnknown(pod) ? pod.obj : pod;
    const ref = controllerRefOf(p);
    const job =
      ref?.kind === 'Job' ? this.deps.jobs.get(`${p.metadata?.namespace}/${ref.name}`) : undefined;
    if (!job || job.metadata?.uid !== ref?.uid) {
      if (kind !== 'gone' && hasTrackingFinalizer(p) && (!ref || ref.kind === 'Job')) {
        this.orphans.enqueueKey(podKey(p));
      }
      return;
    }
    const key = jobKeyOf(job);
    if (kind === 'add') {
      this.expectations.creationObserved(key);
    } else if (kind === 'delete' || kind === 'gone') {
      this.expectations.podDeletionObserved(key, podKey(p));
    }
    if (kind === 'gone' || !hasTrackingFinalizer(p)) {
      this.finalizers.observed(key, p.metadata?.uid ?? '');
    }
    if (isFinished(job) && kind !== 'gone' && hasTrackingFinalizer(p)) {
      this.orphans.enqueueKey(podKey(p));
      return;
    }
    this.controller.enqueueKey(key);
  }

  /** syncOrphanPod: drops the finalizer of a pod whose Job is gone or finished. */
  private async syncOrphanPod(key: string): Promise<void> {
    const pod = this.deps.pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) {
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') {
        return;
      }
      const job = this.deps.jobs.get(`${pod.metadata?.namespace}/${ref.name}`);
      // Adopted meanwhile, or another controller's Job (spec.managedBy): not ours to strip.
      if (job?.metadata?.uid === ref.uid && (!isFinished(job) || !isManagedByJobController(job))) {
        return;
      }
    }
    try {
      await this.deps.rest.patch(podPath(pod), REMOVE_TRACKING_FINALIZER, 'strategic');
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
  }

  private async sync(key: string): Promise<void> {
    const job = this.deps.jobs.get(key);
    if (!job || isFinished(job) || !isManagedByJobController(job)) {
      return;
    }
    const now = this.deps.now();
    // Expectations first: a pod that enters the cache after this check waits for the next sync.
    const satisfied = this.expectations.satisfied(key);
    const ctx = evaluateJob(job, this.podsOf(job), now, this.finalizers.get(key));
    let status: JobStatus = structuredClone(job.status ?? {});
    status.uncountedTerminatedPods ??= {};
    if (!status.startTime && !job.spec?.suspend) {
      status.startTime = formatTime(now);
    }
    let active = ctx.active.length;
    let ready = ctx.ready;
    let terminating = ctx.terminating;
    let manageError: Error | undefined;
    let waitMs: number | undefined;
    const events: Array<[EventType, string, string]> = [];
    if (ctx.finishedCondition) {
      // The Job is done: stop what runs (keeping finalizers, so the pods are still counted).
      const r = await this.deletePods(key, job, ctx.active, false);
      if (r.deleted !== active || !satisfied) {
        ctx.finishedCondition = undefined;
      }
      active -= r.deleted;
      terminating += r.deleted;
      ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const r = await this.manage(key, job, ctx, now);
        ({ active, ready, terminating, waitMs } = r);
        manageError = r.error;
        manageCalled = true;
      }
      const completions = job.spec?.completions;
      const complete =
        completions === undefined || completions === null
          ? ctx.succeeded > 0 && active === 0
          : ctx.succeeded >= completions && active === 0;
      if (complete) {
        const [reason, message] = JOB_REASONS.completionsReached;
        ctx.finishedCondition = jobCondition('SuccessCriteriaMet', 'True', reason, message, now);
      } else if (manageCalled) {
        const suspended = job.spec?.suspend === true;
        const { conditions, changed } = ensureCondition(
          status.conditions ?? [],
          suspended
            ? jobCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', now)
            : jobCondition('Suspended', 'False', 'JobResumed', 'Job resumed', now),
        );
        if (changed) {
          status.conditions = conditions;
          events.push(
            suspended
              ? [EventType.Normal, 'Suspended', 'Job suspended']
              : [EventType.Normal, 'Resumed', 'Job resumed'],
          );
          if (!suspended) {
            // activeDeadlineSeconds counts continuous activity: it starts again on resume.
            status.startTime = formatTime(now);
          }
        }
      }
    }
    status.active = active;
    status.ready = ready;
    status.terminating = terminating;

    const plan = planTracking(ctx, status, false, now);
    let written = job;
    status = normalize(plan.status);
    if (!jsonEqual(status, job.status ?? {})) {
      written = await this.writeJobStatus(key, job, status);
    }
    for (const [type, reason, message] of events) {
      this.deps.recorder.event({ ...job, ...JOB_KIND }, type, reason, message);
    }
    const rmError = await this.removeFinalizers(
      key,
      plan.podsToRemoveFinalizer,
      plan.uidsWithFinalizer,
    );
    const final = normalize(countRemovedFinalizers(status, plan.uidsWithFinalizer).status);
    const finished =
      !plan.reachedMaxUncounted && enactFinished(final, plan.finishedCondition, terminating);
    if (!jsonEqual(final, status)) {
      await this.writeJobStatus(key, written, final);
    }
    if (finished && plan.finishedCondition) {
      const c = plan.finishedCondition;
      const owner = { ...job, ...JOB_KIND };
      if (c.type === 'Complete') {
        const completions = job.spec?.completions;
        if (typeof completions === 'number' && (final.succeeded ?? 0) > completions) {
          this.deps.recorder.event(
            owner,
            EventType.Warning,
            'TooManySucceededPods',
            'Too many succeeded pods running after completion count reached',
          );
        }
        this.deps.recorder.event(owner, EventType.Normal, 'Completed', 'Job completed');
      } else {
        this.deps.recorder.event(owner, EventType.Warning, c.reason ?? '', c.message ?? '');
      }
    }
    const error = manageError ?? rmError;
    if (error) {
      throw error;
    }
    if (!finished) {
      const deadlineIn = ctx.deadlineAt !== undefined ? ctx.deadlineAt - now : undefined;
      const waits = [waitMs, deadlineIn].filter((w): w is number => w !== undefined && w > 0);
      if (waits.length > 0) {
        this.requeue.after(key, Math.min(...waits) + 1);
      }
    }
  }

  private async writeJobStatus(key: string, job: JobObject, status: JobStatus): Promise<JobObject> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    return writeStatus(this.deps.rest, jobPath(namespace, name), job, status);
  }

  /** manageJob: deletes surplus pods (suspend, duplicates, failed indexes) or creates the missing. */
  private async manage(
    key: string,
    job: JobObject,
    ctx: JobContext,
    now: number,
  ): Promise<ManageResult> {
    const result: ManageResult = {
      active: ctx.active.length,
      ready: ctx.ready,
      terminating: ctx.terminating,
    };
    const remove = async (pods: PodObject[]) => {
      const r = await this.deletePods(
        key,
        job,
        pods.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC),
        true,
      );
      result.active -= r.deleted;
      result.terminating += r.deleted;
      result.ready -= r.deletedReady;
      result.error = r.error;
      return result;
    };
    if (job.spec?.suspend) {
      return remove(activePodsForRemoval(job, ctx.active, ctx.active.length, now));
    }
    if (hasBackoffLimitPerIndex(job) && ctx.failedIndexes) {
      // Pods of an index that failed for good are stopped.
      const failedIndexPods = ctx.active.filter((p) =>
        ctx.failedIndexes?.has(completionIndexOf(p) ?? -1),
      );
      if (failedIndexPods.length > 0) {
        return remove(failedIndexPods);
      }
    }
    const want = wantActive(ctx);
    const surplus = activePodsForRemoval(
      job,
      ctx.active,
      Math.max(0, ctx.active.length - want),
      now,
    );
    if (surplus.length > 0) {
      return remove(surplus);
    }
    const replacing = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = want - replacing - ctx.active.length;
    if (diff <= 0) {
      return result;
    }
    if (!hasBackoffLimitPerIndex(job)) {
      const wait = globalBackoffMs(job, ctx.pods, now);
      if (wait > 0) {
        return { ...result, waitMs: wait };
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (isIndexed(job)) {
      const completions = job.spec?.completions ?? 0;
      const done = ctx.failedIndexes
        ? ctx.succeededIndexes.union(ctx.failedIndexes)
        : ctx.succeededIndexes;
      indexes = firstPendingIndexes(ctx.active, done, diff, completions);
      if (hasBackoffLimitPerIndex(job)) {
        const waits = indexes.map((ix) => indexBackoffMs(ctx.delayedDeletionPerIndex.get(ix), now));
        const ready = indexes.filter((_, i) => waits[i] === 0);
        if (ready.length === 0 && indexes.length > 0) {
          return { ...result, waitMs: Math.min(...waits) };
        }
        indexes = ready;
      }
      diff = indexes.length;
    }
    if (diff === 0) {
      return result;
    }
    this.expectations.expectCreations(key, diff);
    const ns = job.metadata?.namespace ?? '';
    const owner = { ...job, ...JOB_KIND };
    const ref = newControllerRef(job, JOB_KIND);
    const base = jobPodTemplate(job);
    const queue = [...(indexes ?? [])];
    const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, () => {
      const ix = queue.shift();
      if (ix === undefined) {
        return this.podControl.createPod(ns, base, owner, ref);
      }
      const { template, generateName } = indexedPodTemplate(
        job,
        base,
        ix,
        ctx.delayedDeletionPerIndex.get(ix),
      );
      return this.podControl.createPod(ns, template, owner, ref, { generateName });
    });
    result.active += successes;
    if (error) {
      this.expectations.lower(key, diff - successes, 0);
      result.error = error;
    }
    return result;
  }

  /**
   * deleteJobPods (`dropFinalizer`: the pod stops counting, as for suspend and surplus pods)
   * or deleteActivePods (finalizer kept: a finishing Job still counts the pods it stops).
   */
  private async deletePods(
    key: string,
    job: JobObject,
    pods: readonly PodObject[],
    dropFinalizer: boolean,
  ): Promise<{ deleted: number; deletedReady: number; error?: Error }> {
    const owner = { ...job, ...JOB_KIND };
    let deleted = 0;
    let deletedReady = 0;
    let error: Error | undefined;
    if (pods.length === 0) {
      return { deleted, deletedReady };
    }
    this.expectations.expectPodDeletions(key, pods.map(podKey));
    await Promise.all(
      pods.map(async (pod) => {
        try {
          if (dropFinalizer && hasTrackingFinalizer(pod)) {
            await this.deps.rest.patch(podPath(pod), REMOVE_TRACKING_FINALIZER, 'strategic');
          }
          if (
            !(await this.podControl.deletePod(
              pod.metadata?.namespace ?? '',
              pod.metadata?.name ?? '',
              owner,
            ))
          ) {
            this.expectations.podDeletionObserved(key, podKey(pod));
          }
          deleted++;
          if (isPodReady(pod)) {
            deletedReady++;
          }
        } catch (err) {
          this.expectations.podDeletionObserved(key, podKey(pod));
          if (isNotFound(err)) {
            deleted++;
          } else {
            error ??= err instanceof Error ? err : new Error(String(err));
          }
        }
      }),
    );
    return { deleted, deletedReady, error };
  }

  /** removeTrackingFinalizerFromPods: the UIDs whose finalizer went leave `uidsWithFinalizer`. */
  private async removeFinalizers(
    key: string,
    pods: readonly PodObject[],
    uidsWithFinalizer: Set<string>,
  ): Promise<Error | undefined> {
    if (pods.length === 0) {
      return undefined;
    }
    const uids = pods.map((p) => p.metadata?.uid ?? '');
    this.finalizers.expectRemoved(key, uids);
    let error: Error | undefined;
    await Promise.all(
      pods.map(async (pod, i) => {
        try {
          await this.deps.rest.patch(podPath(pod), REMOVE_TRACKING_FINALIZER, 'strategic');
        } catch (err) {
          this.finalizers.observed(key, uids[i]);
          if (!isNotFound(err)) {
            error ??= err instanceof Error ? err : new Error(String(err));
            return;
          }
        }
        uidsWithFinalizer.delete(uids[i]);
      }),
    );
    return error;
  }
}

import { timeZoneExists } from '@app/common';
import {
  Controller,
  EventType,
  formatTime,
  isDeletedFinalStateUnknown,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  isConflict,
  isNotFound,
  type CronJobObject,
  type InformerAdapter,
  type JobObject,
  type KubeRest,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { controllerRefOf, newControllerRef } from '../util/owner-refs';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { jobNameOf, scheduleTimes, validSchedule } from './schedule';

const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
/** upstream batchv1.CronJobScheduledTimestampAnnotation. */
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobControllerDeps {
  rest: KubeRest;
  cronJobs: InformerAdapter<CronJobObject>;
  jobs: InformerAdapter<JobObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace}/${o.metadata?.name}`;
const finishedType = (job: JobObject) =>
  job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  )?.type;

/**
 * upstream pkg/controller/cronjob (`cronjob-controller`, the v2 controller) on the cluster
 * clock: at each scheduled time creates the Job `<cronjob>-<minutes since epoch>` from the
 * jobTemplate (concurrencyPolicy Allow / Forbid / Replace, startingDeadlineSeconds, suspend),
 * keeps `status.active` / `lastScheduleTime` / `lastSuccessfulTime`, trims finished Jobs to the
 * history limits, and requeues itself at the next scheduled time.
 */
export class CronJobController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

  constructor(private readonly deps: CronJobControllerDeps) {
    this.controller = new Controller({
      name: 'cronjob-controller',
      queueName: 'cronjob',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.jobs],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.cronJobs, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        this.requeue.cancel(keyOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj));
        return false;
      },
    });
    const jobChanged = (job: JobObject) => {
      const ref = controllerRefOf(job);
      if (ref?.kind === CRONJOB_KIND.kind) {
        this.controller.enqueueKey(`${job.metadata?.namespace}/${ref.name}`);
      }
    };
    deps.jobs.addEventHandler({
      onAdd: jobChanged,
      onUpdate: (a, b) =>
        a.metadata?.resourceVersion !== b.metadata?.resourceVersion && jobChanged(b),
      onDelete: (obj) => jobChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private jobsPath(ns: string): string {
    return `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`;
  }

  private async sync(key: string): Promise<void> {
    const cj = this.deps.cronJobs.get(key);
    if (!cj || cj.metadata?.deletionTimestamp) {
      return;
    }
    const ns = cj.metadata?.namespace ?? '';
    const owner = { ...cj, ...CRONJOB_KIND };
    const now = this.deps.now();
    const jobs = this.deps.jobs
      .list()
      .filter((j) => j.metadata?.namespace === ns && controllerRefOf(j)?.uid === cj.metadata?.uid);
    const status = structuredClone(cj.status ?? {});
    // Active Jobs; finished ones leave the list (upstream cleanupFinishedJobs / syncCronJob).
    const activeNames = new Set((status.active ?? []).map((r) => r.name));
    const active = [];
    for (const job of jobs) {
      const finished = finishedType(job);
      if (!finished) {
        active.push(job);
        continue;
      }
      if (activeNames.has(job.metadata?.name)) {
        this.deps.recorder.event(
          owner,
          EventType.Normal,
          'SawCompletedJob',
          `Saw completed job: ${job.metadata?.name}, status: ${finished}`,
        );
      }
      if (finished === 'Complete') {
        const at = job.status?.completionTime;
        if (at && (!status.lastSuccessfulTime || at > status.lastSuccessfulTime)) {
          status.lastSuccessfulTime = at;
        }
      }
    }
    await this.trimHistory(cj, jobs);
    const spec = cj.spec;
    let nextAt: number | undefined;
    const unparseable = spec ? validSchedule(spec.schedule) : undefined;
    const badZone = spec?.timeZone && !timeZoneExists(spec.timeZone) ? spec.timeZone : undefined;
    if (badZone !== undefined) {
      // upstream: time.LoadLocation refused it; nothing runs until the CronJob changes.
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'UnknownTimeZone',
        `invalid timeZone: "${badZone}": unknown time zone ${badZone}`,
      );
    } else if (unparseable !== undefined) {
      // upstream: reported, not retried until the CronJob changes.
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'UnparseableSchedule',
        `unparseable schedule: "${spec?.schedule}" : ${unparseable}`,
      );
    } else if (spec && !spec.suspend) {
      const since = Date.parse(status.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '');
      const times = scheduleTimes(spec.schedule, spec.timeZone, since, now);
      nextAt = times.next;
      const scheduled = times.mostRecent;
      if (scheduled !== undefined) {
        const deadline = spec.startingDeadlineSeconds;
        if (deadline !== undefined && scheduled + deadline * 1000 < now) {
          this.deps.recorder.event(
            owner,
            EventType.Warning,
            'MissSchedule',
            `Missed scheduled time to start a job: ${new Date(scheduled).toISOString()}`,
          );
        } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
          this.deps.recorder.event(
            owner,
            EventType.Normal,
            'JobAlreadyActive',
            'Not starting job because prior execution is running and concurrency policy is Forbid',
          );
          // upstream retries this schedule once the active Job ends (its event requeues).
          nextAt = undefined;
        } else {
          if (spec.concurrencyPolicy === 'Replace') {
            for (const job of active.splice(0)) {
              await this.deleteJob(cj, job);
            }
          }
          const created = await this.createJob(cj, scheduled);
          if (created) {
            active.push(created);
          }
          status.lastScheduleTime = formatTime(scheduled);
        }
      }
    }
    status.active = active.length
      ? active.map((j) => ({
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: j.metadata?.name,
          namespace: j.metadata?.namespace,
          uid: j.metadata?.uid,
          resourceVersion: j.metadata?.resourceVersion,
        }))
      : undefined;
    const clean = Object.fromEntries(
      Object.entries(status).filter(([, v]) => v !== undefined),
    ) as NonNullable<CronJobObject['status']>;
    if (!jsonEqual(activeShape(clean), activeShape(cj.status ?? {}))) {
      await writeStatusUnlessGone(
        this.deps.rest,
        `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/cronjobs/${encodeURIComponent(cj.metadata?.name ?? '')}`,
        cj,
        clean,
      );
    }
    if (nextAt !== undefined) {
      this.requeue.after(key, Math.max(0, nextAt - now) + 100);
    }
  }

  private async createJob(cj: CronJobObject, scheduled: number): Promise<JobObject | undefined> {
    const template = cj.spec?.jobTemplate ?? {};
    const name = jobNameOf(cj.metadata?.name ?? '', scheduled);
    const job: JobObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP]: formatTime(scheduled),
        },
        ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
      },
      spec: structuredClone(template.spec ?? { template: {} }),
    };
    const owner = { ...cj, ...CRONJOB_KIND };
    try {
      const created = await this.deps.rest.create<JobObject>(
        this.jobsPath(cj.metadata?.namespace ?? ''),
        job,
      );
      this.deps.recorder.event(owner, EventType.Normal, 'SuccessfulCreate', `Created job ${name}`);
      return created;
    } catch (err) {
      if (isConflict(err)) {
        // Already created for this schedule (a stale cache): nothing more to do.
        return undefined;
      }
      this.deps.recorder.event(
        owner,
        EventType.Warning,
        'FailedCreate',
        `Error creating job: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  private async deleteJob(cj: CronJobObject, job: JobObject): Promise<void> {
    try {
      await this.deps.rest.delete(
        `${this.jobsPath(job.metadata?.namespace ?? '')}/${encodeURIComponent(job.metadata?.name ?? '')}`,
        { propagationPolicy: 'Background' },
      );
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
      return;
    }
    this.deps.recorder.event(
      { ...cj, ...CRONJOB_KIND },
      EventType.Normal,
      'SuccessfulDelete',
      `Deleted job ${job.metadata?.name}`,
    );
  }

  /** upstream cleanupFinishedJobs: keeps the newest successful/failed Jobs up to the limits. */
  private async trimHistory(cj: CronJobObject, jobs: readonly JobObject[]): Promise<void> {
    const byStart = (a: JobObject, b: JobObject) =>
      (a.status?.startTime ?? a.metadata?.creationTimestamp ?? '').localeCompare(
        b.status?.startTime ?? b.metadata?.creationTimestamp ?? '',
      );
    const limits: [string, number][] = [
      ['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3],
      ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1],
    ];
    for (const [type, limit] of limits) {
      const finished = jobs
        .filter((j) => finishedType(j) === type && !j.metadata?.deletionTimestamp)
        .sort(byStart);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
        await this.deleteJob(cj, job);
      }
    }
  }
}

/** Status without the volatile resourceVersions of the references (compared before a write). */
function activeShape(status: NonNullable<CronJobObject['status']>) {
  return {
    ...status,
    active: status.active?.map((r) => ({ name: r.name, uid: r.uid })),
  };
}

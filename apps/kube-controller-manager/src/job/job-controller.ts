import {
  Controller,
  EventType,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  type InformerAdapter,
  type JobObject,
  type KubeRest,
  type PodObject,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { UidTrackingExpectations } from '../util/controller-expectations';
import { podsInDeletionOrder } from '../util/deletion-order';
import { controllerRefOf, newControllerRef } from '../util/owner-refs';
import { PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../util/pod-control';
import { podKey } from '../util/pod-state';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { isFinished, jobStatusOf, planJob, type JobPlan } from './job-state';

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

/**
 * upstream pkg/controller/job (`job-controller`), NonIndexed completion mode: runs up to
 * `parallelism` pods until `completions` succeeded (or, without completions, one did and the
 * rest ended), retries failures with the pod back-off up to `backoffLimit`, honours
 * `activeDeadlineSeconds` and `suspend`, and finishes with SuccessCriteriaMet + Complete or
 * FailureTarget + Failed. Job pods are counted from the cache (no tracking finalizer).
 */
export class JobController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;
  private readonly expectations: UidTrackingExpectations;
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
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.jobs, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        const job = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        const key = `${job.metadata?.namespace}/${job.metadata?.name}`;
        this.expectations.delete(key);
        this.requeue.cancel(key);
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
      onDelete: (obj) => this.podEvent(isDeletedFinalStateUnknown(obj) ? obj.obj : obj, 'delete'),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private podEvent(
    pod: PodObject | DeletedFinalStateUnknown<PodObject>,
    kind: 'add' | 'update' | 'delete',
  ): void {
    const p = isDeletedFinalStateUnknown(pod) ? pod.obj : pod;
    const ref = controllerRefOf(p);
    if (ref?.kind !== 'Job') {
      return;
    }
    const job = this.deps.jobs.get(`${p.metadata?.namespace}/${ref.name}`);
    if (job?.metadata?.uid !== ref.uid) {
      return;
    }
    const key = `${job.metadata?.namespace}/${job.metadata?.name}`;
    if (kind === 'add') {
      this.expectations.creationObserved(key);
    } else if (kind === 'delete') {
      this.expectations.podDeletionObserved(key, podKey(p));
    }
    this.controller.enqueueKey(key);
  }

  private async sync(key: string): Promise<void> {
    const job = this.deps.jobs.get(key);
    if (!job) {
      return;
    }
    if (isFinished(job)) {
      // upstream: a finished Job's leftover active pods are removed, nothing else happens.
      return;
    }
    const pods = this.deps.podsByNamespace
      .byIndex(job.metadata?.namespace ?? '')
      .filter((p) => controllerRefOf(p)?.uid === job.metadata?.uid);
    const now = this.deps.now();
    const plan = planJob(job, pods, now);
    let manageError: Error | undefined;
    if (plan.finish) {
      await this.deleteActive(key, job, plan.active);
      this.deps.recorder.event(
        { ...job, ...JOB_KIND },
        plan.finish.type === 'Complete' ? EventType.Normal : EventType.Warning,
        plan.finish.type === 'Complete' ? 'Completed' : plan.finish.reason,
        plan.finish.type === 'Complete' ? 'Job completed' : plan.finish.message,
      );
    } else if (this.expectations.satisfied(key) && !job.metadata?.deletionTimestamp) {
      try {
        await this.manage(key, job, plan);
      } catch (err) {
        manageError = err instanceof Error ? err : new Error(String(err));
      }
    }
    const status = jobStatusOf(job, plan, now);
    if (!jsonEqual(status, job.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await writeStatusUnlessGone(this.deps.rest, jobPath(namespace, name), job, status);
    }
    if (manageError !== undefined) {
      throw manageError;
    }
    if (!plan.finish) {
      const deadlineIn = plan.deadlineAt !== undefined ? plan.deadlineAt - now : undefined;
      const waits = [plan.backoffWaitMs, deadlineIn].filter(
        (w): w is number => w !== undefined && w > 0,
      );
      if (waits.length > 0) {
        this.requeue.after(key, Math.min(...waits) + 1);
      }
    }
  }

  private async manage(key: string, job: JobObject, plan: JobPlan): Promise<void> {
    const ns = job.metadata?.namespace ?? '';
    const owner = { ...job, ...JOB_KIND };
    const diff = plan.active.length - plan.wantActive;
    if (diff > 0) {
      await this.deleteActive(
        key,
        job,
        podsInDeletionOrder(plan.active, plan.active, this.deps.now()).slice(0, diff),
      );
      return;
    }
    if (diff === 0 || plan.backoffWaitMs !== undefined) {
      return;
    }
    const count = Math.min(-diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    this.expectations.expectCreations(key, count);
    const ref = newControllerRef(job, JOB_KIND);
    const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, () =>
      this.podControl.createPod(ns, job.spec?.template ?? {}, owner, ref),
    );
    if (error) {
      this.expectations.lower(key, count - successes, 0);
      throw error;
    }
  }

  private async deleteActive(
    key: string,
    job: JobObject,
    pods: readonly PodObject[],
  ): Promise<void> {
    if (pods.length === 0) {
      return;
    }
    const owner = { ...job, ...JOB_KIND };
    this.expectations.expectPodDeletions(key, pods.map(podKey));
    await Promise.all(
      pods.map(async (pod) => {
        try {
          if (
            !(await this.podControl.deletePod(
              pod.metadata?.namespace ?? '',
              pod.metadata?.name ?? '',
              owner,
            ))
          ) {
            this.expectations.podDeletionObserved(key, podKey(pod));
          }
        } catch (err) {
          this.expectations.podDeletionObserved(key, podKey(pod));
          throw err;
        }
      }),
    );
  }
}

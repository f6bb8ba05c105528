import {
  Controller,
  splitMetaNamespaceKey,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { isNotFound, type InformerAdapter, type JobObject, type KubeRest } from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';

/**
 * When a finished Job with `ttlSecondsAfterFinished` expires (upstream timeLeft / jobFinishTime:
 * the Complete or Failed condition's lastTransitionTime), or undefined if it never does.
 */
export function expiresAt(job: JobObject): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) {
    return undefined;
  }
  const finished = job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!finished) {
    return undefined;
  }
  const at = Date.parse(finished.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

/**
 * upstream pkg/controller/ttlafterfinished (`ttl-after-finished-controller`): deletes finished
 * Jobs `ttlSecondsAfterFinished` after they finished (cluster clock), with foreground
 * propagation and a uid precondition, so their pods go first.
 */
export class TtlAfterFinishedController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

  constructor(
    private readonly deps: {
      rest: KubeRest;
      jobs: InformerAdapter<JobObject>;
      scheduler: Scheduler;
      clockScheduler: Scheduler;
      now: () => number;
      logger: Logger;
    },
  ) {
    this.controller = new Controller({
      name: 'ttl-after-finished-controller',
      queueName: 'ttl_jobs_to_delete',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.jobs, {
      add: (job) => expiresAt(job) !== undefined,
      update: (_a, job) => expiresAt(job) !== undefined,
      delete: false,
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const job = this.deps.jobs.get(key);
    const at = job && expiresAt(job);
    if (!job || at === undefined) {
      return;
    }
    const left = at - this.deps.now();
    if (left > 0) {
      this.requeue.after(key, left + 1);
      return;
    }
    const { namespace, name } = splitMetaNamespaceKey(key);
    try {
      await this.deps.rest.delete(
        `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`,
        { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid } },
      );
    } catch (err) {
      if (!isNotFound(err)) {
        throw err;
      }
    }
  }
}

import {
  EventType,
  errorMessage,
  type EventRecorder,
  type Logger,
  type Scheduler,
  type TimerHandle,
} from '@app/controller-runtime';
import { isConflict, isNotFound, type KubeRest, type PodObject } from '@app/kube-client';
import type { PodResponder } from './pod-responder';
import type { PodSim } from './pod-sim';
import type { TargetedPort } from './targeted-ports';
import type { PodStatusWriter } from './pod-status-writer';

export interface PodWorkerDeps {
  rest: KubeRest;
  writer: PodStatusWriter;
  recorder: EventRecorder;
  /** Timers on the cluster clock. */
  scheduler: Scheduler;
  logger: Logger;
  /** Answers on the pod's container ports while they run. */
  responder: PodResponder;
  /** The ports Services target on the pod (TargetedPorts). */
  targetedPorts(podUid: string): TargetedPort[];
  /** Called once the pod is gone from the API (deleted by this worker). */
  onDeleted(uid: string): void;
  /** Called once the pod's volumes are mounted. */
  onMounted?(pod: PodObject): void;
}

/**
 * The kubelet's pod worker for one pod: advances its simulation whenever the pod changes or a
 * step falls due, records the kubelet events, hands the status to the status writer, and — after
 * a graceful deletion ran its course — deletes the pod with grace 0 and a UID precondition
 * (cluster-simulation.md §2.6).
 */
export class PodWorker {
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private syncQueued = false;
  private deleting: Promise<void> | undefined;
  private disposed = false;
  private mountReported = false;

  constructor(
    private pod: PodObject,
    private readonly sim: PodSim,
    private readonly deps: PodWorkerDeps,
  ) {
    for (const problem of sim.problems) {
      deps.logger.warn({ pod: this.key, problem }, 'ignoring simulation annotation');
    }
  }

  get key(): string {
    return `${this.pod.metadata?.namespace ?? ''}/${this.pod.metadata?.name ?? ''}`;
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  get current(): PodObject {
    return this.pod;
  }

  get simulation(): PodSim {
    return this.sim;
  }

  /** The latest object from the informer; a sync follows. */
  update(pod: PodObject): void {
    this.pod = pod;
    this.queueSync();
  }

  /** Something on the node changed (pod CIDR, address): run a sync. */
  queueSync(): void {
    if (this.syncQueued || this.disposed) {
      return;
    }
    this.syncQueued = true;
    setImmediate(() => {
      this.syncQueued = false;
      this.sync();
    });
  }

  /** Stops without touching the API (the machine stopped, or the pod went away). */
  dispose(): Promise<void> {
    this.disposed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.sim.dispose();
    return this.deps.responder.close();
  }

  private sync(): void {
    if (this.disposed) {
      return;
    }
    const now = this.deps.scheduler.now();
    const { events, nextAt } = this.sim.advance(this.pod, now);
    for (const e of events) {
      this.deps.recorder.event(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: this.pod.metadata?.namespace,
          name: this.pod.metadata?.name,
          uid: this.pod.metadata?.uid,
          ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
        },
        e.type === 'Warning' ? EventType.Warning : EventType.Normal,
        e.reason,
        e.message,
      );
    }
    if (this.sim.mounted && !this.mountReported) {
      this.mountReported = true;
      this.deps.onMounted?.(this.pod);
    }
    const written = this.deps.writer.write(this.pod, this.path, this.sim.status(this.pod, now));
    this.deps.responder.update(this.pod, {
      ...this.sim.serving(),
      targeted: this.deps.targetedPorts(this.uid),
    });
    if (this.sim.readyForDelete && !this.deleting) {
      this.deleting = written.then(() => this.finalDelete());
    }
    this.arm(nextAt);
  }

  private arm(at: number | undefined): void {
    if (at === undefined || at >= this.timerAt) {
      if (at === undefined) {
        this.timer?.cancel();
        this.timer = undefined;
        this.timerAt = Infinity;
      }
      return;
    }
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.deps.scheduler.setTimer(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.sync();
    }, at - this.deps.scheduler.now());
  }

  private get path(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.pod.metadata?.namespace ?? '')}/pods/${encodeURIComponent(this.pod.metadata?.name ?? '')}`;
  }

  /** The status manager's last step: DELETE with grace 0, only this incarnation (UID). */
  private async finalDelete(): Promise<void> {
    if (this.disposed) {
      return;
    }
    try {
      await this.deps.rest.delete(this.path, {
        gracePeriodSeconds: 0,
        preconditions: { uid: this.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) {
        this.deps.logger.warn({ pod: this.key, err: errorMessage(err) }, 'Failed to delete pod');
        this.deleting = undefined;
        this.arm(this.deps.scheduler.now() + 1000);
        return;
      }
    }
    this.deps.onDeleted(this.uid);
  }
}

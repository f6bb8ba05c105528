import {
  errorMessage,
  EventType,
  noopLogger,
  type KubeObject,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { apiErrorMessage, type V1Pod } from '@app/kube-client';
import type { PodInfo } from '../cache/pod-info';
import type { SchedulerCache } from '../cache/scheduler-cache';
import { fitErrorMessage, NO_NODES_AVAILABLE } from '../framework/fit-error';
import type { Framework } from '../framework/framework';
import type { CycleState } from '../framework/interfaces';
import type { ScheduleAlgorithm } from '../framework/schedule-pod';
import type { QueuedPodInfo, SchedulingQueue } from '../queue/scheduling-queue';
import type { SchedulerMetrics } from './metrics';
import { podScheduledPatch } from './pod-condition';

/** The pod calls the loop makes (kube-client's PodClient fits). */
export interface PodApi {
  bind(namespace: string, name: string, uid: string | undefined, node: string): Promise<void>;
  patchStatus(namespace: string, name: string, body: object): Promise<unknown>;
}

/** events.k8s.io recorder surface (controller-runtime's EventsV1Recorder fits). */
export interface Recorder {
  eventf(
    regarding: KubeObject,
    related: KubeObject | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): void;
}

export interface SchedulerLoopDeps {
  framework: Framework;
  algorithm: ScheduleAlgorithm;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  pods: PodApi;
  recorder: Recorder;
  /** The pod as the informer has it now (`namespace/name`). */
  lookupPod(key: string): V1Pod | undefined;
  scheduler: Scheduler;
  metrics?: SchedulerMetrics;
  logger?: Logger;
  /** Binding cycles in flight before the loop waits (upstream has goroutines; keep sockets sane). */
  maxInFlightBindings?: number;
}

/**
 * CPU time the loop may take for consecutive scheduling attempts before it lets other work run
 * (a time slice on the process, not cluster time: real time on purpose).
 */
const SCHEDULING_SLICE_MS = 10;

/** validation.NoteLengthLimit: event notes are cut to 1024 bytes. */
const NOTE_LENGTH_LIMIT = 1024;

/** truncateMessage. */
export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) {
    return message;
  }
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

const POD_TYPE = { apiVersion: 'v1', kind: 'Pod' };
const withType = (pod: V1Pod): KubeObject => ({ ...POD_TYPE, ...pod });

/**
 * scheduleOne, repeated: pop a pod, run the scheduling cycle synchronously against the cache
 * (filters, scores, preemption on failure), assume the pod on the chosen node, and bind it in an
 * asynchronous binding cycle while the next pod is scheduled. Failures record FailedScheduling and
 * the PodScheduled condition and requeue the pod; successes record Scheduled.
 */
export class SchedulerLoop {
  private readonly logger: Logger;
  private readonly maxInFlight: number;
  private readonly bindings = new Set<Promise<void>>();
  private bindingSlot: (() => void) | undefined;
  private stopped = false;
  /** Aborts long PreBind waits (volume binding) on stop. */
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SchedulerLoopDeps) {
    this.logger = deps.logger ?? noopLogger;
    this.maxInFlight = deps.maxInFlightBindings ?? 256;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops taking pods; waits for the attempt and the bindings in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
    await Promise.all([...this.bindings]);
  }

  private async loop(): Promise<void> {
    let sliceStart = performance.now();
    while (!this.stopped) {
      if (this.bindings.size >= this.maxInFlight) {
        await new Promise<void>((resolve) => (this.bindingSlot = resolve));
        continue;
      }
      const p = await this.deps.queue.pop();
      if (!p || this.stopped) {
        if (p) {
          this.deps.queue.done(p.info.uid);
        }
        return;
      }
      try {
        this.scheduleOne(p);
      } catch (err) {
        this.logger.error({ pod: p.info.key, err: errorMessage(err) }, 'scheduling attempt failed');
        this.deps.queue.done(p.info.uid);
      }
      // Let I/O (informer events, binding responses) run between slices of attempts. Upstream's
      // loop has a goroutine of its own; yielding after every pod would tie the scheduling rate
      // to the length of a turn of the event loop the whole cluster shares.
      if (performance.now() - sliceStart >= SCHEDULING_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  /** One scheduling cycle (synchronous); the binding cycle continues asynchronously. */
  scheduleOne(p: QueuedPodInfo): void {
    const { cache, queue, algorithm, framework, scheduler } = this.deps;
    const pod = p.info;
    if (pod.terminating) {
      this.deps.recorder.eventf(
        withType(pod.pod),
        undefined,
        EventType.Warning,
        'FailedScheduling',
        'Scheduling',
        `skip schedule deleting pod: ${pod.namespace}/${pod.name}`,
      );
      queue.done(pod.uid);
      return;
    }
    if (cache.isAssumed(pod.uid)) {
      queue.done(pod.uid);
      return;
    }
    const start = scheduler.now();
    const state: CycleState = new Map();
    const result = algorithm.schedule(state, pod);
    switch (result.kind) {
      case 'error':
        this.deps.metrics?.attempt('error', this.since(start));
        this.fail(p, false, result.status.message);
        return;
      case 'unschedulable': {
        let message = NO_NODES_AVAILABLE;
        let nominated: string | undefined;
        if (!result.noNodes) {
          const diagnosis = result.diagnosis;
          if (framework.postFilter.length > 0) {
            this.deps.metrics?.preemptionAttempt();
            const post = framework.runPostFilter(state, pod, diagnosis, cache.nodeList());
            diagnosis.postFilterMsg = post.status?.message ?? '';
            nominated = post.nominatedNodeName;
          }
          p.unschedulablePlugins = diagnosis.unschedulablePlugins;
          message = fitErrorMessage(result.numAllNodes, diagnosis);
        } else {
          p.unschedulablePlugins = new Set();
        }
        this.deps.metrics?.attempt('unschedulable', this.since(start));
        this.fail(p, true, message, nominated);
        return;
      }
      case 'scheduled': {
        const assumed = cache.assumePod(pod, result.node);
        const binding = this.bindingCycle(p, assumed, result.node, state, start).finally(() => {
          this.bindings.delete(binding);
          const slot = this.bindingSlot;
          this.bindingSlot = undefined;
          slot?.();
        });
        this.bindings.add(binding);
        return;
      }
    }
  }

  private async bindingCycle(
    p: QueuedPodInfo,
    assumed: PodInfo,
    node: string,
    state: CycleState,
    start: number,
  ): Promise<void> {
    const { cache, queue, framework } = this.deps;
    const pod = p.info;
    try {
      for (const plugin of framework.preBind) {
        const status = await plugin.preBind(state, assumed, node, this.stopping.signal);
        if (status) {
          throw new Error(`running PreBind plugin "${plugin.name}": ${status.message}`);
        }
      }
      try {
        await this.deps.pods.bind(pod.namespace, pod.name, pod.pod.metadata?.uid, node);
      } catch (err) {
        throw new Error(`running Bind plugin "DefaultBinder": ${apiErrorMessage(err)}`, {
          cause: err,
        });
      }
    } catch (err) {
      cache.forgetPod(assumed.uid);
      queue.moveAllToActiveOrBackoff('BindingFailed', assumed.pod);
      this.deps.metrics?.attempt('error', this.since(start));
      this.logger.warn({ pod: pod.key, node, err: errorMessage(err) }, 'binding failed');
      this.fail(p, false, errorMessage(err));
      return;
    }
    this.deps.metrics?.attempt('scheduled', this.since(start));
    this.deps.metrics?.podScheduled(p.attempts, this.since(p.initialAttemptTimestamp ?? start));
    this.deps.recorder.eventf(
      withType(pod.pod),
      undefined,
      EventType.Normal,
      'Scheduled',
      'Binding',
      `Successfully assigned ${pod.namespace}/${pod.name} to ${node}`,
    );
    queue.done(pod.uid);
  }

  /**
   * handleSchedulingFailure: requeue the pod (unless it is gone or bound meanwhile), record
   * FailedScheduling and set PodScheduled=False (Unschedulable, or SchedulerError for errors).
   */
  private fail(p: QueuedPodInfo, rejected: boolean, message: string, nominated?: string): void {
    const { queue, lookupPod } = this.deps;
    const pod = p.info;
    const cached = lookupPod(pod.key);
    if (!cached || cached.metadata?.uid !== pod.pod.metadata?.uid || cached.spec?.nodeName) {
      queue.done(pod.uid);
    } else {
      p.info = pod.withPod(cached);
      queue.addUnschedulable(p, rejected);
    }
    this.deps.recorder.eventf(
      withType(pod.pod),
      undefined,
      EventType.Warning,
      'FailedScheduling',
      'Scheduling',
      truncateMessage(message),
    );
    const patch = podScheduledPatch(
      pod.pod,
      { status: 'False', reason: rejected ? 'Unschedulable' : 'SchedulerError', message },
      nominated,
      this.deps.scheduler.now(),
    );
    if (patch) {
      this.deps.pods.patchStatus(pod.namespace, pod.name, patch).catch((err: unknown) => {
        this.logger.warn({ pod: pod.key, err: errorMessage(err) }, 'Error updating pod');
      });
    }
  }

  private since(ms: number): number {
    return (this.deps.scheduler.now() - ms) / 1000;
  }
}

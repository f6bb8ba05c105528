import type { V1Pod } from '@app/kube-client';
import { noopLogger, Periodic, type Logger, type Scheduler } from '@app/controller-runtime';
import { podKey } from '../api/pod-helpers';
import { PodInfo } from '../cache/pod-info';
import { EVENT_LABELS, type QueueEvent } from '../framework/cluster-event';
import type { Framework } from '../framework/framework';
import { KeyedHeap } from './keyed-heap';

/** KubeSchedulerConfiguration defaults. */
export const QUEUE_DEFAULTS = {
  podInitialBackoffMs: 1_000,
  podMaxBackoffMs: 10_000,
  /** podMaxInUnschedulablePodsDuration. */
  maxInUnschedulableMs: 5 * 60_000,
  /** How often backoffQ and unschedulablePods are flushed. */
  backoffFlushMs: 1_000,
  unschedulableFlushMs: 30_000,
};

/** framework.QueuedPodInfo. */
export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod was last added to the queue (ordering, and the start of its backoff). */
  timestamp: number;
  /** When the pod was first popped (scheduling SLI). */
  initialAttemptTimestamp: number | undefined;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt (which events may help it). */
  unschedulablePlugins: Set<string>;
  /** Held back by a PreEnqueue plugin (scheduling gates). */
  gated: boolean;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'gated';

export interface SchedulingQueueOptions {
  scheduler: Scheduler;
  framework: Framework;
  logger?: Logger;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  /** scheduler_queue_incoming_pods_total{queue, event}. */
  onIncoming?(queue: QueueName, event: string): void;
}

interface RecordedEvent {
  event: QueueEvent;
  oldObj: unknown;
  newObj: unknown;
}

interface InFlight {
  events: RecordedEvent[];
  /** Deleted while being scheduled: not to be queued again. */
  deleted: boolean;
}

/** What PrioritySort orders by: higher priority first, then the earlier arrival. */
const activeLess = (a: QueuedPodInfo, b: QueuedPodInfo) =>
  a.info.priority > b.info.priority ||
  (a.info.priority === b.info.priority && a.timestamp < b.timestamp);

/** Spec, labels or annotations changed (not only status or resourceVersion): isPodUpdated. */
function podUpdated(oldPod: V1Pod, newPod: V1Pod): boolean {
  const strip = (p: V1Pod) =>
    JSON.stringify({
      spec: p.spec,
      labels: p.metadata?.labels,
      annotations: p.metadata?.annotations,
      deletion: p.metadata?.deletionTimestamp,
    });
  return strip(oldPod) !== strip(newPod);
}

/**
 * The scheduling queue (pkg/scheduler/backend/queue PriorityQueue): activeQ (ordered by priority,
 * then arrival), backoffQ (1 s doubling to 10 s per attempt), unschedulablePods (waiting for a
 * cluster event that may help, or 5 minutes), and gated pods (scheduling gates). Cluster events
 * ask each rejecting plugin's queueing hint whether they may make a pod schedulable; events that
 * happen while a pod is being scheduled are remembered, so its failure cannot miss them.
 */
export class SchedulingQueue {
  private readonly active = new KeyedHeapOf(activeLess);
  private readonly backoff = new KeyedHeapOf(
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not done, with the events seen meanwhile. */
  private readonly inFlight = new Map<string, InFlight>();
  private waiters: ((p: QueuedPodInfo | undefined) => void)[] = [];
  private readonly periodics: Periodic[];
  private closed = false;
  private readonly logger: Logger;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  /** The number of attempts started so far (SchedulingCycle). */
  schedulingCycle = 0;

  constructor(private readonly options: SchedulingQueueOptions) {
    this.logger = options.logger ?? noopLogger;
    this.initialBackoffMs = options.podInitialBackoffMs ?? QUEUE_DEFAULTS.podInitialBackoffMs;
    this.maxBackoffMs = options.podMaxBackoffMs ?? QUEUE_DEFAULTS.podMaxBackoffMs;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? QUEUE_DEFAULTS.maxInUnschedulableMs;
    this.periodics = [
      new Periodic(
        {
          name: 'flushBackoffQCompleted',
          periodMs: QUEUE_DEFAULTS.backoffFlushMs,
          run: () => this.flushBackoffCompleted(),
        },
        options.scheduler,
        this.logger,
      ),
      new Periodic(
        {
          name: 'flushUnschedulablePodsLeftover',
          periodMs: QUEUE_DEFAULTS.unschedulableFlushMs,
          run: () => this.flushUnschedulableLeftover(),
        },
        options.scheduler,
        this.logger,
      ),
    ];
  }

  /** Starts the periodic flushes (Run). */
  run(): void {
    this.periodics.forEach((p) => p.start());
  }

  async close(): Promise<void> {
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w(undefined));
    await Promise.all(this.periodics.map((p) => p.stop()));
  }

  /** A new unscheduled pod. */
  add(pod: V1Pod): void {
    const key = podKey(pod);
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) {
      return;
    }
    this.enqueue(this.newQueuedPodInfo(new PodInfo(pod)), 'PodAdd');
  }

  /** An unscheduled pod changed. */
  update(oldPod: V1Pod, newPod: V1Pod): void {
    const key = podKey(newPod);
    const info = new PodInfo(newPod);
    const queued = this.active.get(key) ?? this.backoff.get(key);
    if (queued) {
      queued.info = info;
      (this.active.has(key) ? this.active : this.backoff).push(queued);
      return;
    }
    const waiting = this.unschedulable.get(key);
    if (waiting) {
      waiting.info = info;
      if (podUpdated(oldPod, newPod)) {
        this.unschedulable.delete(key);
        if (waiting.gated) {
          this.enqueue(waiting, 'PodUpdate');
        } else {
          this.requeue(waiting, 'PodUpdate');
        }
      }
      return;
    }
    const flight = this.inFlight.get(info.uid);
    if (flight) {
      // Being scheduled right now: its own update counts as a (wildcard) event for its failure.
      flight.events.push({ event: 'ForceActivate', oldObj: oldPod, newObj: newPod });
      return;
    }
    this.enqueue(this.newQueuedPodInfo(info), 'PodUpdate');
  }

  delete(pod: V1Pod): void {
    const key = podKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    const flight = this.inFlight.get(pod.metadata?.uid ?? '');
    if (flight) {
      flight.deleted = true;
    }
  }

  /** Waits for the next pod to schedule; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) {
      return Promise.resolve(undefined);
    }
    const next = this.active.pop();
    if (next) {
      return Promise.resolve(this.started(next));
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private started(p: QueuedPodInfo): QueuedPodInfo {
    p.attempts++;
    p.initialAttemptTimestamp ??= this.options.scheduler.now();
    this.schedulingCycle++;
    this.inFlight.set(p.info.uid, { events: [], deleted: false });
    return p;
  }

  /** The attempt (scheduling and binding) of a popped pod is over. */
  done(uid: string): void {
    this.inFlight.delete(uid);
  }

  /**
   * AddUnschedulableIfNotPresent after a failed attempt: rejected pods wait in unschedulablePods
   * unless an event that may help arrived meanwhile (then backoff); errors go to backoff.
   */
  addUnschedulable(p: QueuedPodInfo, rejected: boolean): void {
    const key = p.info.key;
    const flight = this.inFlight.get(p.info.uid);
    this.inFlight.delete(p.info.uid);
    const events = flight?.events ?? [];
    if (
      flight?.deleted ||
      this.active.has(key) ||
      this.backoff.has(key) ||
      this.unschedulable.has(key)
    ) {
      return;
    }
    p.timestamp = this.options.scheduler.now();
    if (!rejected || events.some((e) => this.worthRequeuing(p, e))) {
      this.backoff.push(p);
      this.options.onIncoming?.('backoff', 'ScheduleAttemptFailure');
      return;
    }
    this.unschedulable.set(key, p);
    this.options.onIncoming?.('unschedulable', 'ScheduleAttemptFailure');
  }

  /**
   * MoveAllToActiveOrBackoffQueue: a cluster event; pods it may help go to activeQ (or backoffQ
   * while still backing off). In-flight pods remember it.
   */
  moveAllToActiveOrBackoff(event: QueueEvent, oldObj?: unknown, newObj?: unknown): void {
    const recorded: RecordedEvent = { event, oldObj, newObj };
    for (const flight of this.inFlight.values()) {
      flight.events.push(recorded);
    }
    for (const [key, p] of this.unschedulable) {
      if (p.gated || !this.worthRequeuing(p, recorded)) {
        continue;
      }
      this.unschedulable.delete(key);
      this.requeue(p, EVENT_LABELS[event]);
    }
  }

  /** flushBackoffQCompleted: pods whose backoff expired go to activeQ. */
  flushBackoffCompleted(): void {
    const now = this.options.scheduler.now();
    for (let p = this.backoff.peek(); p && this.backoffExpiry(p) <= now; p = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(p, 'BackoffComplete');
    }
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for 5 minutes are retried anyway. */
  flushUnschedulableLeftover(): void {
    const now = this.options.scheduler.now();
    for (const [key, p] of this.unschedulable) {
      if (!p.gated && now - p.timestamp > this.maxInUnschedulableMs) {
        this.unschedulable.delete(key);
        this.requeue(p, 'UnschedulableTimeout');
      }
    }
  }

  /** scheduler_pending_pods by queue. */
  pendingCounts(): Record<QueueName, number> {
    let gated = 0;
    for (const p of this.unschedulable.values()) {
      if (p.gated) {
        gated++;
      }
    }
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulable.size - gated,
      gated,
    };
  }

  /** Where a pod waits (tests and debugging). */
  whereIs(key: string): QueueName | undefined {
    if (this.active.has(key)) {
      return 'active';
    }
    if (this.backoff.has(key)) {
      return 'backoff';
    }
    const p = this.unschedulable.get(key);
    return p ? (p.gated ? 'gated' : 'unschedulable') : undefined;
  }

  backoffDurationMs(p: QueuedPodInfo): number {
    if (p.attempts === 0) {
      return 0;
    }
    let d = this.initialBackoffMs;
    for (let i = 1; i < p.attempts; i++) {
      if (d > this.maxBackoffMs - d) {
        return this.maxBackoffMs;
      }
      d += d;
    }
    return d;
  }

  private backoffExpiry(p: QueuedPodInfo): number {
    return p.timestamp + this.backoffDurationMs(p);
  }

  private newQueuedPodInfo(info: PodInfo): QueuedPodInfo {
    return {
      info,
      timestamp: this.options.scheduler.now(),
      initialAttemptTimestamp: undefined,
      attempts: 0,
      unschedulablePlugins: new Set(),
      gated: false,
    };
  }

  /** moveToActiveQ: PreEnqueue plugins first (gated pods wait aside). */
  private enqueue(p: QueuedPodInfo, event: string): void {
    const gate = this.options.framework.runPreEnqueue(p.info);
    if (gate) {
      p.gated = true;
      p.unschedulablePlugins = new Set([gate.plugin]);
      this.unschedulable.set(p.info.key, p);
      this.options.onIncoming?.('gated', event);
      return;
    }
    p.gated = false;
    this.pushActive(p, event);
  }

  /** A pod leaving unschedulablePods: backoffQ while still backing off, else activeQ. */
  private requeue(p: QueuedPodInfo, event: string): void {
    if (this.backoffExpiry(p) > this.options.scheduler.now()) {
      this.backoff.push(p);
      this.options.onIncoming?.('backoff', event);
      return;
    }
    this.enqueue(p, event);
  }

  private pushActive(p: QueuedPodInfo, event: string): void {
    this.options.onIncoming?.('active', event);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.started(p));
      return;
    }
    this.active.push(p);
  }

  /** isPodWorthRequeuing: may `e` make the pod schedulable, per its rejectors' hints? */
  private worthRequeuing(p: QueuedPodInfo, e: RecordedEvent): boolean {
    if (e.event === 'UnschedulableTimeout' || e.event === 'ForceActivate') {
      return true;
    }
    if (p.unschedulablePlugins.size === 0) {
      return true;
    }
    const event = e.event === 'BindingFailed' ? 'Pod/Delete' : e.event;
    for (const r of this.options.framework.registrationsFor(event)) {
      if (!p.unschedulablePlugins.has(r.plugin)) {
        continue;
      }
      try {
        if (!r.hint || r.hint(p.info, e.oldObj, e.newObj)) {
          return true;
        }
      } catch (err) {
        // A failing hint queues the pod, as upstream does.
        this.logger.debug({ plugin: r.plugin, err: String(err) }, 'queueing hint failed');
        return true;
      }
    }
    return false;
  }
}

/** A KeyedHeap of QueuedPodInfo keyed by `namespace/name`. */
class KeyedHeapOf extends KeyedHeap<QueuedPodInfo> {
  constructor(less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean) {
    super((p) => p.info.key, less);
  }
}

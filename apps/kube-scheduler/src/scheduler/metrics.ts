import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueName } from '../queue/scheduling-queue';

const exponential = (start: number, factor: number, count: number) =>
  Array.from({ length: count }, (_, i) => start * factor ** i);

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** kube-scheduler's metrics (pkg/scheduler/metrics), with upstream names, labels and buckets. */
export class SchedulerMetrics {
  private readonly attempts: Counter<'result' | 'profile'>;
  private readonly attemptDuration: Histogram<'result' | 'profile'>;
  private readonly sliDuration: Histogram<'attempts'>;
  private readonly podAttempts: Histogram;
  private readonly incoming: Counter<'queue' | 'event'>;
  private readonly preemptionAttempts: Counter;
  private readonly preemptionVictims: Histogram;

  constructor(
    registry: Registry,
    private readonly profile: string,
    pending: () => Record<QueueName, number>,
  ) {
    const registers = [registry];
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
      labelNames: ['result', 'profile'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: exponential(0.001, 2, 15),
      registers,
    });
    this.sliDuration = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
      labelNames: ['attempts'],
      buckets: exponential(0.01, 2, 20),
      registers,
    });
    this.podAttempts = new Histogram({
      name: 'scheduler_pod_scheduling_attempts',
      help: 'Number of attempts to successfully schedule a pod.',
      buckets: exponential(1, 2, 5),
      registers,
    });
    new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
      labelNames: ['queue'],
      registers,
      collect() {
        for (const [queue, n] of Object.entries(pending())) {
          this.set({ queue }, n);
        }
      },
    });
    this.incoming = new Counter({
      name: 'scheduler_queue_incoming_pods_total',
      help: 'Number of pods added to scheduling queues by event and queue type.',
      labelNames: ['queue', 'event'],
      registers,
    });
    this.preemptionAttempts = new Counter({
      name: 'scheduler_preemption_attempts_total',
      help: 'Total preemption attempts in the cluster till now',
      registers,
    });
    this.preemptionVictims = new Histogram({
      name: 'scheduler_preemption_victims',
      help: 'Number of selected preemption victims',
      buckets: Array.from({ length: 10 }, (_, i) => 5 + 5 * i),
      registers,
    });
  }

  attempt(result: AttemptResult, seconds: number): void {
    this.attempts.inc({ result, profile: this.profile });
    this.attemptDuration.observe({ result, profile: this.profile }, seconds);
  }

  /** A pod was scheduled after `attempts` attempts, `seconds` after it first reached the queue. */
  podScheduled(attempts: number, seconds: number): void {
    this.sliDuration.observe({ attempts: attempts >= 15 ? '15+' : String(attempts) }, seconds);
    this.podAttempts.observe(attempts);
  }

  incomingPod(queue: QueueName, event: string): void {
    this.incoming.inc({ queue, event });
  }

  preemptionAttempt(): void {
    this.preemptionAttempts.inc();
  }

  preemptionVictimCount(n: number): void {
    this.preemptionVictims.observe(n);
  }
}

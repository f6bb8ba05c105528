import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TimeSource } from '../token-bucket';

/** What a queue reports; mirrors client-go's queueMetrics. */
export interface QueueMetrics<T> {
  add(item: T): void;
  get(item: T): void;
  done(item: T): void;
  retry(): void;
}

/** client-go: prometheus.ExponentialBuckets(10e-9, 10, 12), i.e. 10 ns … 1000 s. */
const DURATION_BUCKETS = Array.from({ length: 12 }, (_, i) => Number(`1e${i - 8}`));

interface Families {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  latency: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
  queues: Set<PrometheusQueueMetrics<unknown>>;
}

const familiesByRegistry = new WeakMap<Registry, Families>();

/** The seven workqueue families, created once per Registry and shared by all its queues. */
function familiesFor(registry: Registry): Families {
  const existing = familiesByRegistry.get(registry);
  if (existing) {
    return existing;
  }
  const queues = new Set<PrometheusQueueMetrics<unknown>>();
  const registers = [registry];
  const labelNames = ['name'] as const;
  const inProgressGauge = (name: string, help: string, pick: (q: InProgress) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        const byName = new Map<string, InProgress>();
        for (const q of queues) {
          const cur = q.inProgress();
          const prev = byName.get(q.name);
          byName.set(
            q.name,
            prev
              ? { total: prev.total + cur.total, longest: Math.max(prev.longest, cur.longest) }
              : cur,
          );
        }
        for (const [queueName, value] of byName) {
          this.set({ name: queueName }, pick(value));
        }
      },
    });
  const families: Families = {
    depth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames,
      registers,
    }),
    adds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames,
      registers,
    }),
    latency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames,
      registers,
    }),
    queues,
  };
  inProgressGauge(
    'workqueue_unfinished_work_seconds',
    "How many seconds of work has been done that is in progress and hasn't been observed by " +
      'work_duration. Large values indicate stuck threads. One can deduce the number of stuck ' +
      'threads by observing the rate at which this increases.',
    (v) => v.total,
  );
  inProgressGauge(
    'workqueue_longest_running_processor_seconds',
    'How many seconds has the longest running processor for workqueue been running.',
    (v) => v.longest,
  );
  familiesByRegistry.set(registry, families);
  return families;
}

interface InProgress {
  total: number;
  longest: number;
}

/** Per-queue metrics on a prom-client Registry, labelled `name` like client-go's. */
export class PrometheusQueueMetrics<T> implements QueueMetrics<T> {
  private readonly families: Families;
  private readonly addTimes = new Map<T, number>();
  private readonly processingStartTimes = new Map<T, number>();
  private readonly labels: { name: string };

  constructor(
    readonly name: string,
    registry: Registry,
    private readonly time: TimeSource,
  ) {
    this.families = familiesFor(registry);
    this.families.queues.add(this);
    this.labels = { name };
    // Make the series visible at 0 before the first add, as client-go's do once created.
    this.families.depth.inc(this.labels, 0);
    this.families.adds.inc(this.labels, 0);
    this.families.retries.inc(this.labels, 0);
  }

  add(item: T): void {
    this.families.adds.inc(this.labels);
    this.families.depth.inc(this.labels);
    if (!this.addTimes.has(item)) {
      this.addTimes.set(item, this.time.now());
    }
  }

  get(item: T): void {
    this.families.depth.dec(this.labels);
    const now = this.time.now();
    const added = this.addTimes.get(item);
    if (added !== undefined) {
      this.families.latency.observe(this.labels, (now - added) / 1000);
      this.addTimes.delete(item);
    }
    this.processingStartTimes.set(item, now);
  }

  done(item: T): void {
    const started = this.processingStartTimes.get(item);
    if (started !== undefined) {
      this.families.workDuration.observe(this.labels, (this.time.now() - started) / 1000);
      this.processingStartTimes.delete(item);
    }
  }

  retry(): void {
    this.families.retries.inc(this.labels);
  }

  /** Seconds of unfinished work (sum and longest) right now. */
  inProgress(): InProgress {
    const now = this.time.now();
    let total = 0;
    let longest = 0;
    for (const started of this.processingStartTimes.values()) {
      const seconds = (now - started) / 1000;
      total += seconds;
      longest = Math.max(longest, seconds);
    }
    return { total, longest };
  }
}

/** Metrics for queues without a name or registry. */
export class NoopQueueMetrics<T> implements QueueMetrics<T> {
  add(_item: T): void {}
  get(_item: T): void {}
  done(_item: T): void {}
  retry(): void {}
}

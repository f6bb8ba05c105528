import { Fifo } from '../internal/fifo';
import { noopLogger, type Logger } from '../logger';
import { Periodic } from '../periodic';
import { sleep, type Scheduler } from '../scheduler';
import { formatMicroTime } from '../time-format';
import { httpStatusOf, rejectedForGood } from './sink-errors';
import { EventNamer } from './recorder';
import type { ObjectReference } from './types';
import { EventsV1Recorder } from './v1-recorder';
import type { EventsV1Event, EventsV1Sink } from './v1-types';

/** client-go tools/events defaults (event_broadcaster.go). */
export const EVENTS_V1_DEFAULTS = {
  maxTriesPerEvent: 12,
  /** Sleep between tries, jittered by up to 25 %. */
  retrySleepMs: 10_000,
  /** A series not seen for this long is finished (final count written, forgotten). */
  finishTimeMs: 6 * 60_000,
  /** Open series are re-written this often (refreshes their TTL on the server). */
  refreshTimeMs: 30 * 60_000,
  /** Events waiting for the sink; beyond this new ones are dropped. */
  maxQueuedEvents: 1000,
  /** Writes in flight at once (upstream writes each event from its own goroutine). */
  maxConcurrentWrites: 8,
};

export interface EventsV1BroadcasterOptions {
  sink: EventsV1Sink;
  scheduler: Scheduler;
  logger?: Logger;
  /** For `reportingInstance` (`<controller>-<hostname>`). */
  hostname: string;
  /** For the retry jitter and the sub-millisecond part of event names. */
  random?: () => number;
  maxTriesPerEvent?: number;
  retrySleepMs?: number;
  maxQueuedEvents?: number;
  maxConcurrentWrites?: number;
}

interface CachedEvent {
  event: EventsV1Event;
  eventTimeMs: number;
  lastObservedMs: number;
}

/** getKey: type, action, reason, reporting controller and instance, regarding and related. */
function isomorphicKey(e: EventsV1Event): string {
  const ref = (r: ObjectReference | undefined) =>
    r ? [r.apiVersion, r.kind, r.namespace, r.name, r.uid, r.resourceVersion, r.fieldPath] : [];
  return JSON.stringify([
    e.type,
    e.action,
    e.reason,
    e.reportingController,
    e.reportingInstance,
    ref(e.regarding),
    ref(e.related),
  ]);
}

/**
 * client-go's events.k8s.io/v1 EventBroadcaster (tools/events), which kube-scheduler records with:
 * the first occurrence of an event is created; an isomorphic one (same type, action, reason,
 * reporter and objects; the note may differ) turns it into a series (`series.count: 2`, a PATCH);
 * later repeats only count in memory until the series is refreshed (every 30 minutes) or finished
 * (6 minutes after the last repeat). Recorders never block; writes retry connection failures.
 */
export class EventsV1Broadcaster {
  private readonly logger: Logger;
  private readonly namer: EventNamer;
  private readonly cache = new Map<string, CachedEvent>();
  private readonly pending = new Fifo<EventsV1Event>();
  private readonly stopped = new AbortController();
  private readonly periodics: Periodic[];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: EventsV1BroadcasterOptions) {
    this.logger = options.logger ?? noopLogger;
    this.namer = new EventNamer(options.scheduler, options.random);
    const { scheduler } = options;
    this.periodics = [
      new Periodic(
        {
          name: 'events-finish-series',
          periodMs: EVENTS_V1_DEFAULTS.finishTimeMs,
          run: () => this.finishSeries(),
        },
        scheduler,
        this.logger,
      ),
      new Periodic(
        {
          name: 'events-refresh-series',
          periodMs: EVENTS_V1_DEFAULTS.refreshTimeMs,
          run: () => this.refreshSeries(),
        },
        scheduler,
        this.logger,
      ),
    ];
  }

  /** A recorder for `reportingController` (e.g. `default-scheduler`). */
  newRecorder(reportingController: string): EventsV1Recorder {
    return new EventsV1Recorder(
      reportingController,
      `${reportingController}-${this.options.hostname}`,
      (event) => this.accept(event),
      this.options.scheduler,
      this.namer,
      this.logger,
    );
  }

  /** Starts the series bookkeeping loops (StartRecordingToSink). */
  start(): void {
    this.periodics.forEach((p) => p.start());
  }

  /** Resolves once every event handed over so far has been written (or given up on). */
  flush(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting events; queued ones and retries are dropped. */
  async shutdown(): Promise<void> {
    this.stopped.abort();
    this.pending.clear();
    await Promise.all(this.periodics.map((p) => p.stop()));
  }

  private accept(event: EventsV1Event): void {
    if (this.stopped.signal.aborted) {
      return;
    }
    const r = event.regarding;
    this.logger.info(
      {
        object: r.namespace ? `${r.namespace}/${r.name}` : r.name,
        kind: r.kind,
        apiVersion: r.apiVersion,
        type: event.type,
        reason: event.reason,
        action: event.action,
        note: event.note,
      },
      'Event occurred',
    );
    const toRecord = this.correlate(event);
    if (!toRecord) {
      return;
    }
    const max = this.options.maxQueuedEvents ?? EVENTS_V1_DEFAULTS.maxQueuedEvents;
    if (this.pending.length >= max) {
      this.logger.error({ reason: event.reason }, 'Event queue is full; dropping event');
      return;
    }
    this.pending.push(toRecord);
    this.pump();
  }

  /** recordToSink's cache step: the event to write now, or undefined (a counted repeat). */
  private correlate(event: EventsV1Event): EventsV1Event | undefined {
    const key = isomorphicKey(event);
    const now = this.options.scheduler.now();
    const cached = this.cache.get(key);
    if (!cached) {
      this.cache.set(key, { event, eventTimeMs: now, lastObservedMs: now });
      return structuredClone(event);
    }
    cached.lastObservedMs = now;
    if (cached.event.series) {
      cached.event.series.count++;
      cached.event.series.lastObservedTime = formatMicroTime(now);
      return undefined;
    }
    cached.event.series = { count: 2, lastObservedTime: formatMicroTime(now) };
    return structuredClone(cached.event);
  }

  private pump(): void {
    const max = this.options.maxConcurrentWrites ?? EVENTS_V1_DEFAULTS.maxConcurrentWrites;
    while (this.inFlight < max && this.pending.length > 0) {
      const event = this.pending.shift() as EventsV1Event;
      this.inFlight++;
      void this.attemptRecording(event).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.pending.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((w) => w());
        }
      });
    }
  }

  private async attemptRecording(event: EventsV1Event): Promise<void> {
    const maxTries = this.options.maxTriesPerEvent ?? EVENTS_V1_DEFAULTS.maxTriesPerEvent;
    const sleepMs = this.options.retrySleepMs ?? EVENTS_V1_DEFAULTS.retrySleepMs;
    const random = this.options.random ?? Math.random;
    for (let tries = 1; ; tries++) {
      if (await this.recordEvent(event)) {
        return;
      }
      if (tries >= maxTries) {
        this.logger.error(
          { reason: event.reason },
          'Unable to write event (retry limit exceeded!)',
        );
        return;
      }
      // wait.Jitter(sleep, 0.25)
      const delay = sleepMs + random() * 0.25 * sleepMs;
      if (!(await sleep(this.options.scheduler, delay, this.stopped.signal))) {
        return;
      }
    }
  }

  /** client-go's recordEvent: true when done (written, or rejected for good). */
  private async recordEvent(event: EventsV1Event): Promise<boolean> {
    const { sink } = this.options;
    const series = event.series;
    const isSeries = series !== undefined;
    let error: unknown;
    if (series) {
      try {
        await sink.patch(event, { series: { ...series } });
        return true;
      } catch (err) {
        error = err;
      }
    }
    // A series whose event expired on the server (404) is created afresh.
    if (!isSeries || httpStatusOf(error) === 404) {
      try {
        const { resourceVersion: _rv, ...metadata } = event.metadata;
        await sink.create({ ...event, metadata });
        return true;
      } catch (err) {
        error = err;
      }
    }
    const status = httpStatusOf(error);
    if (status === 409) {
      // Created twice in quick succession: a series may retry, a single event is done.
      return !isSeries;
    }
    return rejectedForGood(error, event.reason, this.logger);
  }

  /** finishSeries: writes the final count of quiet series and forgets quiet events. */
  private async finishSeries(): Promise<void> {
    const cutoff = this.options.scheduler.now() - EVENTS_V1_DEFAULTS.finishTimeMs;
    for (const [key, cached] of [...this.cache]) {
      if (cached.event.series) {
        if (cached.lastObservedMs < cutoff && (await this.recordEvent(cached.event))) {
          this.cache.delete(key);
        }
      } else if (cached.eventTimeMs < cutoff) {
        this.cache.delete(key);
      }
    }
  }

  /** refreshExistingEventSeries: re-writes every open series. */
  private async refreshSeries(): Promise<void> {
    for (const cached of [...this.cache.values()]) {
      if (cached.event.series) {
        await this.recordEvent(cached.event);
      }
    }
  }
}

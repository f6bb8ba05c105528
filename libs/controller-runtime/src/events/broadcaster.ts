import { Fifo } from '../internal/fifo';
import { noopLogger, type Logger } from '../logger';
import { sleep, type Scheduler } from '../scheduler';
import { httpStatusOf, rejectedForGood } from './sink-errors';
import { EventCorrelator, type CorrelatorOptions } from './correlator';
import { EventNamer, EventRecorder } from './recorder';
import type { CoreV1Event, EventCountPatch, EventSink, EventSource } from './types';

/** client-go's broadcaster defaults. */
export const EVENT_BROADCASTER_DEFAULTS = {
  /** Events waiting for the sink; beyond this new ones are dropped. */
  maxQueuedEvents: 1000,
  maxTriesPerEvent: 12,
  retrySleepMs: 10_000,
};

export interface EventBroadcasterOptions {
  sink: EventSink;
  scheduler: Scheduler;
  logger?: Logger;
  correlator?: CorrelatorOptions;
  maxQueuedEvents?: number;
  maxTriesPerEvent?: number;
  retrySleepMs?: number;
  /** For the randomised first retry sleep and the sub-millisecond part of event names. */
  random?: () => number;
}

/**
 * client-go's EventBroadcaster + StartRecordingToSink + StartStructuredLogging: recorders hand
 * events over without blocking; one writer correlates them and writes them to the sink in order,
 * retrying connection failures (12 tries, 10 s apart).
 */
export class EventBroadcaster {
  private readonly correlator: EventCorrelator;
  private readonly namer: EventNamer;
  private readonly logger: Logger;
  private readonly pending = new Fifo<CoreV1Event>();
  private readonly stopped = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private busy = false;

  constructor(private readonly options: EventBroadcasterOptions) {
    this.logger = options.logger ?? noopLogger;
    this.namer = new EventNamer(options.scheduler, options.random);
    this.correlator = new EventCorrelator(
      options.scheduler,
      (name) => this.namer.name(name),
      options.correlator,
    );
  }

  /** A recorder whose events carry `source` (e.g. `{ component: 'service-controller' }`). */
  newRecorder(source: EventSource): EventRecorder {
    return new EventRecorder(
      source,
      (event) => this.accept(event),
      this.options.scheduler,
      this.namer,
      this.logger,
    );
  }

  /** Resolves once every event handed over so far has been written (or given up on). */
  flush(): Promise<void> {
    if (!this.busy && this.pending.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting events and abandons retries; pending events are dropped. */
  shutdown(): void {
    this.stopped.abort();
    this.pending.clear();
  }

  private accept(event: CoreV1Event): void {
    if (this.stopped.signal.aborted) {
      return;
    }
    const o = event.involvedObject;
    this.logger.info(
      {
        object: o.namespace ? `${o.namespace}/${o.name}` : o.name,
        kind: o.kind,
        apiVersion: o.apiVersion,
        type: event.type,
        reason: event.reason,
        message: event.message,
      },
      'Event occurred',
    );
    const max = this.options.maxQueuedEvents ?? EVENT_BROADCASTER_DEFAULTS.maxQueuedEvents;
    if (this.pending.length >= max) {
      this.logger.error({ reason: event.reason }, 'Event queue is full; dropping event');
      return;
    }
    this.pending.push(event);
    if (!this.busy) {
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      for (let e = this.pending.shift(); e; e = this.pending.shift()) {
        await this.recordToSink(e);
      }
    } finally {
      this.busy = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private async recordToSink(event: CoreV1Event): Promise<void> {
    const result = this.correlator.correlate(event);
    if (result.skip) {
      return;
    }
    const maxTries = this.options.maxTriesPerEvent ?? EVENT_BROADCASTER_DEFAULTS.maxTriesPerEvent;
    const sleepMs = this.options.retrySleepMs ?? EVENT_BROADCASTER_DEFAULTS.retrySleepMs;
    for (let tries = 1; ; tries++) {
      if (await this.recordEvent(result.event, result.patch)) {
        return;
      }
      if (tries >= maxTries) {
        this.logger.error(
          { reason: event.reason },
          'Unable to write event (retry limit exceeded!)',
        );
        return;
      }
      // The first sleep is randomised so clients do not retry in lockstep.
      const delay = tries === 1 ? sleepMs * (this.options.random ?? Math.random)() : sleepMs;
      if (!(await sleep(this.options.scheduler, delay, this.stopped.signal))) {
        return;
      }
    }
  }

  /** client-go's recordEvent: true when done (written, or rejected for good). */
  private async recordEvent(
    event: CoreV1Event,
    patch: EventCountPatch | undefined,
  ): Promise<boolean> {
    const { sink } = this.options;
    let saved: CoreV1Event | undefined;
    let error: unknown;
    const update = event.count > 1 && patch !== undefined;
    if (update) {
      try {
        saved = await sink.patch(event, patch);
      } catch (err) {
        error = err;
      }
    }
    // The patch fails with 404 when the event expired on the server: create it afresh.
    if (!update || (error !== undefined && httpStatusOf(error) === 404)) {
      try {
        const { resourceVersion: _rv, ...metadata } = event.metadata;
        saved = await sink.create({ ...event, metadata });
        error = undefined;
      } catch (err) {
        error = err;
      }
    }
    if (error === undefined && saved) {
      this.correlator.updateState(saved);
      return true;
    }
    const status = httpStatusOf(error);
    if (status === 409) {
      this.logger.debug({ reason: event.reason }, 'Server rejected event: already exists');
      return true;
    }
    return rejectedForGood(error, event.reason, this.logger);
  }
}

/**
 * Stops event broadcasters on shutdown: events still queued get up to `timeoutMs` (real time) to
 * reach the api-server, then the rest is dropped.
 */
export async function shutdownBroadcasters(
  broadcasters: readonly EventBroadcaster[],
  timeoutMs = 2000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(broadcasters.map((b) => b.flush())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  broadcasters.forEach((b) => b.shutdown());
}

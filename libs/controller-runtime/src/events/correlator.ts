import { LruCache } from '../internal/lru-cache';
import { formatTime } from '../time-format';
import { TokenBucket, type TimeSource } from '../token-bucket';
import type { CoreV1Event, EventCountPatch } from './types';

/** client-go's event correlation defaults (tools/record/events_cache.go). */
export const EVENT_CORRELATION_DEFAULTS = {
  lruCacheSize: 4096,
  /** Spam filter: 25 events per source+object, refilled one per 5 minutes. */
  spamBurst: 25,
  spamQps: 1 / 300,
  /** Aggregation: from the 10th distinct message for one reason within 10 minutes. */
  maxEvents: 10,
  maxIntervalMs: 600_000,
};

export type CorrelatorOptions = Partial<typeof EVENT_CORRELATION_DEFAULTS> & {
  /** Turn the spam filter off (on by default, as upstream). */
  spamFilter?: boolean;
};

export type CorrelateResult =
  { skip: true } | { skip: false; event: CoreV1Event; patch: EventCountPatch | undefined };

const key = (...parts: (string | undefined)[]) => parts.map((p) => p ?? '').join('\u0000');

/** Source and involved object: the part every correlation key starts with. */
function sourceAndObject(e: CoreV1Event): (string | undefined)[] {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
}

/** getEventKey: identical events (same source, object, type, reason and message). */
function eventKey(e: CoreV1Event): string {
  return key(...sourceAndObject(e), e.involvedObject.fieldPath, e.type, e.reason, e.message);
}

/** getSpamKey: source and object only. */
function spamKey(e: CoreV1Event): string {
  return key(...sourceAndObject(e));
}

/** EventAggregatorByReasonFunc: similar events differ only in their message. */
function aggregateKey(e: CoreV1Event): string {
  return key(...sourceAndObject(e), e.type, e.reason, e.reportingComponent, e.reportingInstance);
}

interface EventLog {
  count: number;
  firstTimestamp: string;
  name: string;
  resourceVersion: string | undefined;
}

/**
 * client-go's EventCorrelator: aggregates similar events, bumps the count of repeated ones (a patch
 * instead of a new Event) and drops spam. All caches are LRU-bounded.
 */
export class EventCorrelator {
  private readonly options: typeof EVENT_CORRELATION_DEFAULTS & { spamFilter: boolean };
  private readonly aggregates: LruCache<string, { localKeys: Set<string>; lastMs: number }>;
  private readonly observed: LruCache<string, EventLog>;
  private readonly spam: LruCache<string, TokenBucket>;

  constructor(
    private readonly time: TimeSource,
    private readonly makeName: (involvedName: string) => string,
    options: CorrelatorOptions = {},
  ) {
    this.options = { ...EVENT_CORRELATION_DEFAULTS, spamFilter: true, ...options };
    this.aggregates = new LruCache(this.options.lruCacheSize);
    this.observed = new LruCache(this.options.lruCacheSize);
    this.spam = new LruCache(this.options.lruCacheSize);
  }

  correlate(newEvent: CoreV1Event): CorrelateResult {
    const [aggregated, cacheKey] = this.aggregate(newEvent);
    const [event, patch] = this.observe(aggregated, cacheKey);
    if (this.options.spamFilter && this.isSpam(event)) {
      return { skip: true };
    }
    return { skip: false, event, patch };
  }

  /** Records the server's copy (name, resourceVersion, count) after a create or patch. */
  updateState(event: CoreV1Event): void {
    this.observed.set(eventKey(event), {
      count: event.count,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name,
      resourceVersion: event.metadata.resourceVersion,
    });
  }

  /** EventAggregator.EventAggregate. */
  private aggregate(event: CoreV1Event): [CoreV1Event, string] {
    const now = this.time.now();
    const aggKey = aggregateKey(event);
    let record = this.aggregates.get(aggKey);
    if (!record || now - record.lastMs > this.options.maxIntervalMs) {
      record = { localKeys: new Set(), lastMs: 0 };
    }
    record.localKeys.add(event.message);
    record.lastMs = now;
    this.aggregates.set(aggKey, record);
    if (record.localKeys.size < this.options.maxEvents) {
      return [event, eventKey(event)];
    }
    // Keep the set bounded (sets.String.PopAny).
    const any = record.localKeys.values().next();
    if (!any.done) {
      record.localKeys.delete(any.value);
    }
    const stamp = formatTime(now);
    const combined: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: this.makeName(event.involvedObject.name ?? ''),
        namespace: event.metadata.namespace,
      },
      involvedObject: event.involvedObject,
      reason: event.reason,
      message: `(combined from similar events): ${event.message}`,
      type: event.type,
      source: event.source,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      reportingComponent: '',
      reportingInstance: '',
    };
    return [combined, aggKey];
  }

  /** eventLogger.eventObserve: a repeat takes the cached name and count + 1, and yields a patch. */
  private observe(
    event: CoreV1Event,
    cacheKey: string,
  ): [CoreV1Event, EventCountPatch | undefined] {
    const last = this.observed.get(cacheKey);
    let result = event;
    let patch: EventCountPatch | undefined;
    if (last && last.count > 0) {
      result = {
        ...event,
        metadata: { ...event.metadata, name: last.name, resourceVersion: last.resourceVersion },
        firstTimestamp: last.firstTimestamp,
        count: last.count + 1,
      };
      patch = { count: result.count, lastTimestamp: result.lastTimestamp, message: result.message };
    }
    this.observed.set(cacheKey, {
      count: result.count,
      firstTimestamp: result.firstTimestamp,
      name: result.metadata.name,
      resourceVersion: result.metadata.resourceVersion,
    });
    return [result, patch];
  }

  /** EventSourceObjectSpamFilter.Filter: true when the source+object bucket is empty. */
  private isSpam(event: CoreV1Event): boolean {
    const k = spamKey(event);
    let bucket = this.spam.get(k);
    if (!bucket) {
      bucket = new TokenBucket(this.options.spamQps, this.options.spamBurst, this.time);
    }
    const allowed = bucket.tryAccept();
    this.spam.set(k, bucket);
    return !allowed;
  }
}

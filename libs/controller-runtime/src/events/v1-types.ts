import type { ObjectReference } from './types';

/** events.k8s.io/v1 EventSeries: a repeated (isomorphic) event. */
export interface EventSeries {
  count: number;
  /** MicroTime (six fractional digits). */
  lastObservedTime: string;
}

/** An events.k8s.io/v1 Event as client-go's tools/events recorder writes it. */
export interface EventsV1Event {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  /** MicroTime of the first occurrence. */
  eventTime: string;
  series?: EventSeries;
  /** e.g. `default-scheduler` (kubectl describe shows it as "From"). */
  reportingController: string;
  /** `<reportingController>-<hostname>`. */
  reportingInstance: string;
  /** What was tried: `Scheduling`, `Binding`, `Preempting`, … */
  action: string;
  reason: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  note: string;
  type: string;
}

/** The strategic-merge patch that records a series (CreateTwoWayMergePatch of old vs new). */
export interface EventSeriesPatch {
  series: EventSeries;
}

/**
 * Where events.k8s.io/v1 events go (client-go's tools/events EventSink). Errors should carry the
 * HTTP status as a numeric `code` or `statusCode`: a 404 on patch creates the event afresh, other
 * statuses are final, errors without one (connection failures) are retried.
 */
export interface EventsV1Sink {
  create(event: EventsV1Event): Promise<EventsV1Event>;
  patch(event: EventsV1Event, patch: EventSeriesPatch): Promise<EventsV1Event>;
}

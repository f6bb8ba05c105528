/** core/v1 event types. */
export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** core/v1 ObjectReference. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 EventSource: who reported the event (the "From" column of `kubectl describe`). */
export interface EventSource {
  component: string;
  host?: string;
}

/** A core/v1 Event as the recorder writes it. */
export interface CoreV1Event {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: string;
  source: EventSource;
  /** RFC 3339, second precision. */
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

/** The strategic-merge patch the recorder sends for a repeated event (as client-go does). */
export interface EventCountPatch {
  count: number;
  lastTimestamp: string;
  message: string;
}

/**
 * Where events go (client-go's record.EventSink); libs/kube-client implements it over
 * `/api/v1/namespaces/{ns}/events`. Errors should carry the HTTP status as a numeric `code` or
 * `statusCode` (client-node's ApiException does): 404 on patch makes the recorder create the event
 * afresh, 409 and other 4xx are dropped, anything else is retried.
 */
export interface EventSink {
  create(event: CoreV1Event): Promise<CoreV1Event>;
  /** PATCH `metadata.namespace`/`metadata.name` of `event` with `patch`. */
  patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event>;
}

import type { KubeObject } from '../informer';
import { errorMessage, type Logger } from '../logger';
import { formatTime } from '../time-format';
import type { TimeSource } from '../token-bucket';
import { EventType, type CoreV1Event, type EventSource, type ObjectReference } from './types';

/**
 * The reference an event points at (client-go's reference.GetReference). Objects from informer
 * lists often lack apiVersion/kind; pass them as `typeMeta`.
 */
export function objectReference(
  obj: KubeObject,
  typeMeta: { apiVersion?: string; kind?: string } = {},
): ObjectReference {
  const ref: ObjectReference = {
    apiVersion: obj.apiVersion ?? typeMeta.apiVersion,
    kind: obj.kind ?? typeMeta.kind,
    namespace: obj.metadata?.namespace,
    name: obj.metadata?.name,
    uid: obj.metadata?.uid,
    resourceVersion: obj.metadata?.resourceVersion,
  };
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * `<object name>.<hex nanoseconds>` as client-go names events. The clock has millisecond
 * resolution, so the nanoseconds within a millisecond start at a random offset and count up:
 * names stay unique within one namer, and two components writing events about one object in the
 * same millisecond (the PV controller and the provisioner on a new claim) do not collide — a
 * collision is a 409, and client-go drops the event.
 */
export class EventNamer {
  private lastMs = -1;
  private seq = 0;

  constructor(
    private readonly time: TimeSource,
    private readonly random: () => number = Math.random,
  ) {}

  name(involvedName: string): string {
    const ms = Math.floor(this.time.now());
    this.seq = ms === this.lastMs ? this.seq + 1 : Math.floor(this.random() * 500_000);
    this.lastMs = ms;
    const nanos = BigInt(ms) * 1_000_000n + BigInt(this.seq);
    return `${involvedName}.${nanos.toString(16)}`;
  }
}

/** client-go's record.EventRecorder for one source component. */
export class EventRecorder {
  constructor(
    readonly source: EventSource,
    private readonly emit: (event: CoreV1Event) => void,
    private readonly time: TimeSource,
    private readonly namer: EventNamer,
    private readonly logger: Logger,
  ) {}

  /** Records an event about `object` (an ObjectReference, or an object carrying apiVersion/kind). */
  event(
    object: ObjectReference | KubeObject,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.generate(object, undefined, type, reason, message);
  }

  /** Like `event`, with annotations on the Event object. */
  annotatedEvent(
    object: ObjectReference | KubeObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.generate(object, annotations, type, reason, message);
  }

  private generate(
    object: ObjectReference | KubeObject,
    annotations: Record<string, string> | undefined,
    type: string,
    reason: string,
    message: string,
  ): void {
    try {
      const ref =
        'metadata' in object ? objectReference(object) : { ...(object as ObjectReference) };
      if (!ref.kind || !ref.name) {
        this.logger.error(
          { reason, message },
          'Could not construct reference: kind and name are required',
        );
        return;
      }
      if (type !== EventType.Normal && type !== EventType.Warning) {
        this.logger.error({ type, reason }, `Unsupported event type: '${type}'`);
        return;
      }
      this.emit(this.makeEvent(ref, annotations, type, reason, message));
    } catch (err) {
      this.logger.error({ reason, err: errorMessage(err) }, 'Could not record event');
    }
  }

  private makeEvent(
    ref: ObjectReference,
    annotations: Record<string, string> | undefined,
    type: string,
    reason: string,
    message: string,
  ): CoreV1Event {
    const stamp = formatTime(this.time.now());
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: this.namer.name(ref.name ?? ''),
        namespace: ref.namespace || 'default',
        ...(annotations ? { annotations: { ...annotations } } : {}),
      },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { ...this.source },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
  }
}

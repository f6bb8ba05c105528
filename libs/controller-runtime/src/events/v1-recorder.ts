import type { KubeObject } from '../informer';
import { errorMessage, type Logger } from '../logger';
import { formatMicroTime } from '../time-format';
import type { TimeSource } from '../token-bucket';
import { EventNamer, objectReference } from './recorder';
import { EventType, type ObjectReference } from './types';
import type { EventsV1Event } from './v1-types';

/**
 * client-go's tools/events EventRecorder for one reporting controller: `eventf(regarding, related,
 * type, reason, action, note)` builds an events.k8s.io/v1 Event named `<object>.<hex nanos>` in the
 * object's namespace (`default` for cluster-scoped objects).
 */
export class EventsV1Recorder {
  constructor(
    readonly reportingController: string,
    readonly reportingInstance: string,
    private readonly emit: (event: EventsV1Event) => void,
    private readonly time: TimeSource,
    private readonly namer: EventNamer,
    private readonly logger: Logger,
  ) {}

  eventf(
    regarding: ObjectReference | KubeObject,
    related: ObjectReference | KubeObject | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): void {
    try {
      const ref = toReference(regarding);
      if (!ref.kind || !ref.name) {
        this.logger.error(
          { reason, note },
          'Could not construct reference, will not report event: kind and name are required',
        );
        return;
      }
      if (type !== EventType.Normal && type !== EventType.Warning) {
        this.logger.error({ type, reason }, 'Unsupported event type');
        return;
      }
      const now = this.time.now();
      const event: EventsV1Event = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: this.namer.name(ref.name), namespace: ref.namespace || 'default' },
        eventTime: formatMicroTime(now),
        reportingController: this.reportingController,
        reportingInstance: this.reportingInstance,
        action,
        reason,
        regarding: ref,
        ...(related ? { related: toReference(related) } : {}),
        note,
        type,
      };
      this.emit(event);
    } catch (err) {
      this.logger.error({ reason, err: errorMessage(err) }, 'Could not record event');
    }
  }
}

function toReference(object: ObjectReference | KubeObject): ObjectReference {
  return 'metadata' in object ? objectReference(object) : { ...(object as ObjectReference) };
}

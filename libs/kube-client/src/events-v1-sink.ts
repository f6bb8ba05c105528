import {
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { EventSeriesPatch, EventsV1Event, EventsV1Sink } from '@app/controller-runtime';

/**
 * controller-runtime's events.k8s.io/v1 sink (client-go's tools/events EventSinkImpl): create =
 * POST, a series update = strategic-merge PATCH. Errors keep their HTTP status as `code`.
 */
export class KubeEventsV1Sink implements EventsV1Sink {
  private readonly api: EventsV1Api;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(EventsV1Api);
  }

  async create(event: EventsV1Event): Promise<EventsV1Event> {
    await this.api.createNamespacedEvent({
      namespace: event.metadata.namespace,
      body: event as never,
    });
    return event;
  }

  async patch(event: EventsV1Event, patch: EventSeriesPatch): Promise<EventsV1Event> {
    await this.api.patchNamespacedEvent(
      { namespace: event.metadata.namespace, name: event.metadata.name, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    return event;
  }
}

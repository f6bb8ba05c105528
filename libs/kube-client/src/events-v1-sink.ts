import type { KubeConfig } from '@kubernetes/client-node';
import type { EventSeriesPatch, EventsV1Event, EventsV1Sink } from '@app/controller-runtime';
import { KubeRest } from './kube-rest';

const eventsPath = (namespace: string) =>
  `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;

/**
 * controller-runtime's events.k8s.io/v1 sink (client-go's tools/events EventSinkImpl): create =
 * POST, a series update = strategic-merge PATCH. Errors carry the HTTP status as `code`.
 */
export class KubeEventsV1Sink implements EventsV1Sink {
  private readonly rest: KubeRest;

  constructor(kc: KubeConfig) {
    this.rest = new KubeRest(kc);
  }

  async create(event: EventsV1Event): Promise<EventsV1Event> {
    await this.rest.create(eventsPath(event.metadata.namespace), event);
    return event;
  }

  async patch(event: EventsV1Event, patch: EventSeriesPatch): Promise<EventsV1Event> {
    await this.rest.patch(
      `${eventsPath(event.metadata.namespace)}/${encodeURIComponent(event.metadata.name)}`,
      patch,
      'strategic',
    );
    return event;
  }
}

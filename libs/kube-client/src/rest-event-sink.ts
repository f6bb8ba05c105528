import type { CoreV1Event, EventCountPatch, EventSink } from '@app/controller-runtime';
import { pickRv } from './event-sink';
import type { KubeRest } from './kube-rest';

const eventsPath = (event: CoreV1Event) =>
  `/api/v1/namespaces/${encodeURIComponent(event.metadata.namespace)}/events`;

/**
 * controller-runtime's EventSink over KubeRest, with the client chosen per event: the simulated
 * kubelets write each node's events as that node (`restFor(event)` picks by `source.host`).
 * Errors are KubeApiErrors (numeric `code`), as the broadcaster expects.
 */
export class RestEventSink implements EventSink {
  constructor(private readonly restFor: (event: CoreV1Event) => KubeRest) {}

  async create(event: CoreV1Event): Promise<CoreV1Event> {
    const created = await this.restFor(event).create<CoreV1Event>(eventsPath(event), event);
    return { ...event, metadata: { ...event.metadata, ...pickRv(created) } };
  }

  async patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event> {
    const patched = await this.restFor(event).patch<CoreV1Event>(
      `${eventsPath(event)}/${encodeURIComponent(event.metadata.name)}`,
      patch,
      'merge',
    );
    return { ...event, ...patch, metadata: { ...event.metadata, ...pickRv(patched) } };
  }
}

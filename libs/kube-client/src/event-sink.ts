import type { KubeConfig } from '@kubernetes/client-node';
import type { CoreV1Event, EventCountPatch, EventSink } from '@app/controller-runtime';
import { KubeRest } from './kube-rest';

const eventsPath = (namespace: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;

/** The resourceVersion the API answered, to carry on the recorded event. */
function pickRv(obj: { metadata?: { resourceVersion?: string } }): {
  resourceVersion?: string;
} {
  const rv = obj.metadata?.resourceVersion;
  return rv ? { resourceVersion: rv } : {};
}

/**
 * controller-runtime's EventSink over core/v1 events: create = POST, repeat = merge PATCH. Plain
 * JSON through KubeRest (client-node's typed serializer costs several times the request itself
 * when every kubelet records its pods' events); errors carry the HTTP status as `code`. The client
 * is chosen per event: the simulated kubelets write each node's events as that node
 * (`restFor` picks by `source.host`).
 */
export class RestEventSink implements EventSink {
  constructor(private readonly restFor: (event: CoreV1Event) => KubeRest) {}

  async create(event: CoreV1Event): Promise<CoreV1Event> {
    const created = await this.restFor(event).create<CoreV1Event>(
      eventsPath(event.metadata.namespace),
      event,
    );
    return { ...event, metadata: { ...event.metadata, ...pickRv(created) } };
  }

  async patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event> {
    const patched = await this.restFor(event).patch<CoreV1Event>(
      `${eventsPath(event.metadata.namespace)}/${encodeURIComponent(event.metadata.name)}`,
      patch,
      'merge',
    );
    return { ...event, ...patch, metadata: { ...event.metadata, ...pickRv(patched) } };
  }
}

/** The EventSink of a component with one identity (its kubeconfig's). */
export class KubeEventSink extends RestEventSink {
  constructor(kc: KubeConfig) {
    const rest = new KubeRest(kc);
    super(() => rest);
  }
}

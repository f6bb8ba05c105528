import type { KubeConfig } from '@kubernetes/client-node';
import type { CoreV1Event, EventCountPatch, EventSink } from '@app/controller-runtime';
import { KubeRest } from './kube-rest';

const eventsPath = (namespace: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;

/**
 * controller-runtime's EventSink over core/v1 events: create = POST, repeat = merge PATCH. Plain
 * JSON through KubeRest (client-node's typed serializer costs several times the request itself
 * when every kubelet records its pods' events); errors carry the HTTP status as `code`.
 */
export class KubeEventSink implements EventSink {
  private readonly rest: KubeRest;

  constructor(kc: KubeConfig) {
    this.rest = new KubeRest(kc);
  }

  async create(event: CoreV1Event): Promise<CoreV1Event> {
    const created = await this.rest.create<CoreV1Event>(
      eventsPath(event.metadata.namespace),
      event,
    );
    return { ...event, metadata: { ...event.metadata, ...pickRv(created) } };
  }

  async patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event> {
    const patched = await this.rest.patch<CoreV1Event>(
      `${eventsPath(event.metadata.namespace)}/${encodeURIComponent(event.metadata.name)}`,
      patch,
      'merge',
    );
    return { ...event, ...patch, metadata: { ...event.metadata, ...pickRv(patched) } };
  }
}

function pickRv(obj: { metadata?: { resourceVersion?: string } }): { resourceVersion?: string } {
  const rv = obj.metadata?.resourceVersion;
  return rv ? { resourceVersion: rv } : {};
}

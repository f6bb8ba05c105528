import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { CoreV1Event, EventCountPatch, EventSink } from '@app/controller-runtime';

/**
 * controller-runtime's EventSink over core/v1 events: create = POST, repeat = merge PATCH. Errors
 * are client-node ApiExceptions, which carry the HTTP status as a numeric `code`.
 */
export class KubeEventSink implements EventSink {
  private readonly core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async create(event: CoreV1Event): Promise<CoreV1Event> {
    const created = await this.core.createNamespacedEvent({
      namespace: event.metadata.namespace,
      body: event as never,
    });
    return { ...event, metadata: { ...event.metadata, ...pickRv(created) } };
  }

  async patch(event: CoreV1Event, patch: EventCountPatch): Promise<CoreV1Event> {
    const patched = await this.core.patchNamespacedEvent(
      { namespace: event.metadata.namespace, name: event.metadata.name, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return { ...event, ...patch, metadata: { ...event.metadata, ...pickRv(patched) } };
  }
}

/** The resourceVersion the API answered, to carry on the recorded event. */
export function pickRv(obj: { metadata?: { resourceVersion?: string } }): {
  resourceVersion?: string;
} {
  const rv = obj.metadata?.resourceVersion;
  return rv ? { resourceVersion: rv } : {};
}

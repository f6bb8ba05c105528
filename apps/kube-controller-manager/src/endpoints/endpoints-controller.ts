import {
  formatTime,
  splitMetaNamespaceKey,
  type Controller,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { Indexer } from '@app/controller-runtime';
import {
  isNotFound,
  type EndpointsObject,
  type InformerAdapter,
  type KubeRest,
  type PodObject,
  type ServiceObject,
} from '@app/kube-client';
import { isPodReady } from '../util/pod-state';
import { jsonEqual } from '../util/status-update';
import { serviceController } from './service-controller-base';
import {
  derivedLabels,
  endpointPorts,
  hasSelector,
  podInEndpoints,
  portsKey,
  servicePods,
} from './service-pods';

type Subset = NonNullable<EndpointsObject['subsets']>[number];
type Address = NonNullable<Subset['addresses']>[number];

/** upstream maxCapacity: more addresses are truncated with the over-capacity annotation. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface EndpointsControllerDeps {
  rest: KubeRest;
  services: InformerAdapter<ServiceObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  endpoints: InformerAdapter<EndpointsObject>;
  scheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

/**
 * upstream EndpointsController subsets: per resolved port set, ready pods in `addresses`, not
 * ready ones in `notReadyAddresses` (terminating pods left out unless publishNotReadyAddresses),
 * each `{ip, nodeName, targetRef}`, sorted by IP.
 */
export function endpointSubsets(service: ServiceObject, pods: readonly PodObject[]): Subset[] {
  const groups = new Map<string, Subset>();
  const publish = !!service.spec?.publishNotReadyAddresses;
  for (const pod of pods.filter(podInEndpoints)) {
    if (pod.metadata?.deletionTimestamp && !publish) {
      continue;
    }
    const ports = endpointPorts(service, pod);
    const key = portsKey(ports);
    const subset: Subset = groups.get(key) ?? {
      ports: ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        protocol: p.protocol,
      })),
    };
    const address: Address = {
      ip: pod.status?.podIP ?? '',
      ...(pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name
        ? { hostname: pod.spec.hostname }
        : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata?.namespace,
        name: pod.metadata?.name,
        uid: pod.metadata?.uid,
      },
    };
    if (publish || isPodReady(pod)) {
      subset.addresses = [...(subset.addresses ?? []), address];
    } else {
      subset.notReadyAddresses = [...(subset.notReadyAddresses ?? []), address];
    }
    groups.set(key, subset);
  }
  const byIp = (a: Address, b: Address) => a.ip.localeCompare(b.ip, 'en', { numeric: true });
  return [...groups.values()].map((s) => ({
    ...(s.addresses ? { addresses: s.addresses.sort(byIp) } : {}),
    ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses.sort(byIp) } : {}),
    ports: s.ports,
  }));
}

/**
 * upstream pkg/controller/endpoint (`endpoints-controller`): the Endpoints object of every
 * selector Service (same name, the Service's labels + headless label), deleted with its Service.
 */
export class EndpointsController {
  private readonly controller: Controller;

  constructor(private readonly deps: EndpointsControllerDeps) {
    // Upstream's handleErr: a conflict or an Endpoints its cache has not seen yet is routine.
    this.controller = serviceController('endpoints-controller', deps, (key) => this.sync(key), {
      level: 'debug',
      message: 'Error syncing endpoints, retrying',
      maxRetries: 15,
      droppedMessage: 'Dropping service out of the queue',
    });
    // A deleted Service's Endpoints go too (upstream deletes them in syncService).
    deps.services.addEventHandler({ onDelete: (obj) => this.controller.enqueue(obj) });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/endpoints/${encodeURIComponent(name)}`;
    const service = this.deps.services.get(key);
    if (!service) {
      try {
        await this.deps.rest.delete(path);
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
      }
      return;
    }
    if (!hasSelector(service)) {
      return;
    }
    const pods = servicePods(service, this.deps.podsByNamespace.byIndex(namespace));
    let subsets = endpointSubsets(service, pods);
    const annotations: Record<string, string> = {};
    const total = subsets.reduce(
      (n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0),
      0,
    );
    if (total > MAX_ENDPOINTS_CAPACITY) {
      annotations['endpoints.kubernetes.io/over-capacity'] = 'truncated';
      subsets = subsets.map((s) => ({
        ...s,
        addresses: s.addresses?.slice(0, MAX_ENDPOINTS_CAPACITY),
      }));
    }
    const labels = derivedLabels(service);
    const current = this.deps.endpoints.get(key);
    if (
      current &&
      jsonEqual(current.subsets ?? [], subsets) &&
      jsonEqual(current.metadata?.labels ?? {}, labels)
    ) {
      return;
    }
    const body: EndpointsObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? { name, namespace }),
        labels,
        annotations: {
          ...(current?.metadata?.annotations ?? {}),
          ...annotations,
          [TRIGGER_TIME]: formatTime(this.deps.now()),
        },
      },
      subsets,
    };
    if (current) {
      await this.deps.rest.replace(path, body);
    } else {
      await this.deps.rest.create(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/endpoints`,
        body,
      );
    }
  }
}

import {
  BucketRateLimiter,
  DEFAULT_BUCKET_BURST,
  DEFAULT_BUCKET_QPS,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  formatTime,
  splitMetaNamespaceKey,
  type Logger,
  type Scheduler,
  type Controller,
} from '@app/controller-runtime';
import type { Indexer } from '@app/controller-runtime';
import {
  isNotFound,
  type EndpointSliceObject,
  type InformerAdapter,
  type KubeRest,
  type NodeObject,
  type PodObject,
  type ServiceObject,
} from '@app/kube-client';
import { isPodReady } from '../util/pod-state';
import { newControllerRef } from '../util/owner-refs';
import { jsonEqual } from '../util/status-update';
import { serviceController } from './service-controller-base';
import {
  derivedLabels,
  endpointPorts,
  hasSelector,
  podInEndpoints,
  portsKey,
  servicePods,
  zoneOf,
  type EndpointPort,
} from './service-pods';

/** upstream labels and defaults of pkg/controller/endpointslice. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;
const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

type Endpoint = NonNullable<EndpointSliceObject['endpoints']>[number];

export interface EndpointSliceControllerDeps {
  rest: KubeRest;
  services: InformerAdapter<ServiceObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  slices: InformerAdapter<EndpointSliceObject>;
  nodes: InformerAdapter<NodeObject>;
  scheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

/** The endpoint a pod contributes (upstream podToEndpoint). */
export function podToEndpoint(
  service: ServiceObject,
  pod: PodObject,
  node: NodeObject | undefined,
): Endpoint {
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses ? true : isPodReady(pod);
  const zone = zoneOf(node);
  return {
    addresses: [pod.status?.podIP ?? ''],
    conditions: { ready: ready && !terminating, serving: ready, terminating },
    ...(pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name
      ? { hostname: pod.spec.hostname }
      : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone ? { zone } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
}

/**
 * The slices a Service should have: endpoints grouped by their resolved ports, in chunks of
 * 100, ordered by pod name; a selector Service without endpoints gets one empty placeholder.
 */
export function desiredSlices(
  service: ServiceObject,
  pods: readonly PodObject[],
  nodeOf: (name: string) => NodeObject | undefined,
): { ports?: EndpointPort[]; endpoints: Endpoint[] }[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  const sorted = [...pods].filter(podInEndpoints).filter((p) => !p.status?.podIP?.includes(':'));
  sorted.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of sorted) {
    const ports = endpointPorts(service, pod);
    const key = portsKey(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    group.endpoints.push(podToEndpoint(service, pod, nodeOf(pod.spec?.nodeName ?? '')));
    groups.set(key, group);
  }
  const slices: { ports?: EndpointPort[]; endpoints: Endpoint[] }[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      slices.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  return slices.length > 0 ? slices : [{ endpoints: [] }];
}

/**
 * upstream pkg/controller/endpointslice (`endpointslice-controller`): IPv4 EndpointSlices
 * `<service>-xxxxx` owned by each selector Service, labelled `kubernetes.io/service-name` and
 * managed-by `endpointslice-controller.k8s.io` (+ the headless label), with per-pod
 * ready/serving/terminating conditions, nodeName, zone and targetRef, at most 100 per slice;
 * existing slices are updated in place before new ones are created, extra ones deleted.
 */
export class EndpointSliceController {
  private readonly controller: Controller;

  constructor(private readonly deps: EndpointSliceControllerDeps) {
    // Upstream's handleErr (logged at V(0) there), and its queue's backoff: 1 s → 1000 s (instead of
    // client-go's 5 ms) with the 10 qps / 100 bucket, so a failing Service is retried for ~100 min.
    this.controller = serviceController(
      'endpointslice-controller',
      deps,
      (key) => this.sync(key),
      {
        level: 'info',
        message: 'Error syncing endpoint slices for service, retrying',
        maxRetries: 15,
        droppedMessage: 'Retry budget exceeded, dropping service out of the queue',
      },
      new MaxOfRateLimiter<string>(
        new ItemExponentialFailureRateLimiter<string>(1000, 1_000_000),
        new BucketRateLimiter<string>(DEFAULT_BUCKET_QPS, DEFAULT_BUCKET_BURST, deps.scheduler),
      ),
    );
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const service = this.deps.services.get(key);
    if (!service || !hasSelector(service) || service.spec?.type === 'ExternalName') {
      // Slices of a deleted Service go with the garbage collector (owner references).
      return;
    }
    const { namespace, name } = splitMetaNamespaceKey(key);
    const existing = this.deps.slices
      .list()
      .filter(
        (s) =>
          s.metadata?.namespace === namespace &&
          s.metadata?.labels?.[SERVICE_NAME_LABEL] === name &&
          s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY &&
          s.addressType === 'IPv4',
      )
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const pods = servicePods(service, this.deps.podsByNamespace.byIndex(namespace));
    const desired = desiredSlices(service, pods, (n) => this.deps.nodes.get(n));
    const labels = {
      ...derivedLabels(service),
      [SERVICE_NAME_LABEL]: name,
      [MANAGED_BY_LABEL]: MANAGED_BY,
    };
    const collection = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`;
    const trigger = formatTime(this.deps.now());
    for (let i = 0; i < desired.length; i++) {
      const want = desired[i];
      const have = existing[i];
      const body: EndpointSliceObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        addressType: 'IPv4',
        metadata: {
          ...(have ? have.metadata : { generateName: `${name}-`, namespace }),
          labels,
          annotations: { ...(have?.metadata?.annotations ?? {}), [TRIGGER_TIME]: trigger },
          ownerReferences: [newControllerRef(service, { apiVersion: 'v1', kind: 'Service' })],
        },
        endpoints: want.endpoints,
        ...(want.ports ? { ports: want.ports } : {}),
      };
      if (!have) {
        await this.deps.rest.create(collection, body);
        continue;
      }
      const same =
        jsonEqual(have.endpoints ?? [], want.endpoints) &&
        jsonEqual(have.ports ?? null, want.ports ?? null) &&
        jsonEqual(have.metadata?.labels ?? {}, labels);
      if (!same) {
        await this.deps.rest.replace(
          `${collection}/${encodeURIComponent(have.metadata?.name ?? '')}`,
          body,
        );
      }
    }
    for (const extra of existing.slice(desired.length)) {
      try {
        await this.deps.rest.delete(
          `${collection}/${encodeURIComponent(extra.metadata?.name ?? '')}`,
        );
      } catch (err) {
        if (!isNotFound(err)) {
          throw err;
        }
      }
    }
  }
}

import type { EndpointSliceObject, ServiceObject } from '@app/kube-client';

/** One endpoint of one Service port, deduplicated across the Service's slices by IP:port. */
export interface ServiceEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

type ServicePort = NonNullable<NonNullable<ServiceObject['spec']>['ports']>[number];

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The endpoints of one Service port from its EndpointSlices (pkg/proxy/endpointslicecache.go):
 * IPv4 slices only (loopback has no IPv6 stand-ins), the slice port with the Service port's name
 * and protocol, the first address of each endpoint; `ready` and `serving` default to true when
 * unset and `terminating` to false, as upstream reads them.
 */
export function endpointsOf(
  slices: readonly EndpointSliceObject[],
  port: ServicePort,
): ServiceEndpoint[] {
  const byAddress = new Map<string, ServiceEndpoint>();
  const name = port.name ?? '';
  const protocol = port.protocol ?? 'TCP';
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') {
      continue;
    }
    const slicePort = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === name && (p.protocol ?? 'TCP') === protocol,
    );
    if (!slicePort?.port) {
      continue;
    }
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip) {
        continue;
      }
      const ready = e.conditions?.ready ?? true;
      const endpoint: ServiceEndpoint = {
        ip,
        port: slicePort.port,
        nodeName: e.nodeName,
        ready,
        serving: e.conditions?.serving ?? ready,
        terminating: e.conditions?.terminating ?? false,
      };
      const key = `${ip}:${slicePort.port}`;
      // A endpoint in two slices (a slice being rewritten): the ready copy wins.
      const seen = byAddress.get(key);
      if (!seen || (!seen.ready && endpoint.ready)) {
        byAddress.set(key, endpoint);
      }
    }
  }
  return [...byAddress.values()].sort((a, b) =>
    a.ip === b.ip ? a.port - b.port : compareIps(a.ip, b.ip),
  );
}

/**
 * Which endpoints take traffic (pkg/proxy/topology.go CategorizeEndpoints, ProxyTerminatingEndpoints
 * GA): the ready ones; when none is ready, the serving-and-terminating ones (a rolling update's
 * last pods keep answering). `local` restricts to the endpoints on `nodeName` first, with the
 * same fallback among those.
 */
export function usableEndpoints(
  endpoints: readonly ServiceEndpoint[],
  local?: { nodeName: string },
): ServiceEndpoint[] {
  const pool = local ? endpoints.filter((e) => e.nodeName === local.nodeName) : endpoints;
  const ready = pool.filter((e) => e.ready);
  if (ready.length > 0) {
    return ready;
  }
  return pool.filter((e) => e.serving && e.terminating);
}

/**
 * The count kube-proxy's healthCheckNodePort server reports: ready endpoints on the node, by IP
 * (a pod serving two ports of the Service is one endpoint; terminating ones do not count).
 */
export function localReadyEndpoints(
  endpoints: readonly ServiceEndpoint[],
  nodeName: string,
): number {
  return new Set(endpoints.filter((e) => e.ready && e.nodeName === nodeName).map((e) => e.ip)).size;
}

function compareIps(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    if (pa[i] !== pb[i]) {
      return (pa[i] ?? 0) - (pb[i] ?? 0);
    }
  }
  return 0;
}

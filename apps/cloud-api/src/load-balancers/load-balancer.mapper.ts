import type { BackendDto, IpFamilyName, LoadBalancerDto, PublicIpDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { LoadBalancerSpec } from './load-balancer-spec';
import type { LoadBalancerRow } from './load-balancers.repository';
import type { LoadBalancerView } from './load-balancers.service';
import type { BackendHealthView } from './data-plane/lb-data-plane-view';

export function loadBalancerEtag(row: Pick<LoadBalancerRow, 'id' | 'version'>): string {
  return etagOf(row.id, row.version);
}

export function toLoadBalancerDto(row: LoadBalancerView): LoadBalancerDto {
  const spec = JSON.parse(row.spec) as LoadBalancerSpec;
  const families = JSON.parse(row.ipFamilies) as IpFamilyName[];
  const publicIps: PublicIpDto[] = families.map((ipFamily) => ({
    ipFamily,
    ip: (ipFamily === 'IPv4' ? row.publicIpv4 : row.publicIpv6)!,
  }));
  return {
    id: row.id,
    name: row.name,
    projectId: row.projectId,
    region: row.region,
    state: row.state,
    publicIps,
    ipFamilies: families,
    listeners: spec.listeners,
    // The backend address of each listener is the instance's private IP and the targetPort.
    backends: row.backends.map((b) => ({
      instanceId: b.instanceId,
      ip: b.instanceIp,
      ...backendHealth(row.runtime.health.get(b.instanceId)),
      endpoints: spec.listeners.map((l) => ({
        protocol: l.protocol,
        listenerPort: l.port,
        ip: b.instanceIp,
        port: l.targetPort,
      })),
    })),
    healthCheck: spec.healthCheck,
    algorithm: spec.algorithm,
    sessionAffinity: spec.sessionAffinity,
    allowedSourceRanges: spec.allowedSourceRanges,
    labels: JSON.parse(row.labels) as Record<string, string>,
    dataPlane: row.runtime.dataPlane,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    etag: loadBalancerEtag(row),
  };
}

/** A backend's health as the data plane last saw it (`unknown` while it is not checked). */
function backendHealth(
  view: BackendHealthView | undefined,
): Pick<BackendDto, 'health' | 'healthChangedAt' | 'healthDetail'> {
  if (!view) {
    return { health: 'unknown' };
  }
  return {
    health: view.health,
    ...(view.changedAt !== undefined && {
      healthChangedAt: new Date(view.changedAt).toISOString(),
    }),
    ...(view.detail !== undefined && { healthDetail: view.detail }),
  };
}

import type { IpFamilyName, LoadBalancerDto, PublicIpDto } from '@app/cloud-contracts';
import { etagOf } from '../conventions/etag';
import type { LoadBalancerSpec } from './load-balancer-spec';
import type { LoadBalancerRow } from './load-balancers.repository';
import type { LoadBalancerView } from './load-balancers.service';

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
      health: 'unknown',
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
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    etag: loadBalancerEtag(row),
  };
}

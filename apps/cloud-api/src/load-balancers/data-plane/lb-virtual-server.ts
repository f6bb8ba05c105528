import { hostAddressOf, hostRangesOf } from '@app/common';
import type { IpFamilyName } from '@app/cloud-contracts';
import type { ListenerSpec, VirtualServerSpec } from '@app/dataplane';
import type { LoadBalancerSpec } from '../load-balancer-spec';
import type { BackendRow, LoadBalancerRow } from '../load-balancers.repository';
import { bindPlanFor, boundFamilies } from './lb-bind-plans';

/** Health checks give up after the interval, and after 5 s at most (GCP's default timeout). */
const MAX_HEALTH_TIMEOUT_MS = 5000;

/** The data-plane name of a listener's socket for one family: `TCP/80`, `UDP/53/IPv6`. */
export function listenerName(protocol: string, port: number, family: IpFamilyName): string {
  return family === 'IPv4' ? `${protocol}/${port}` : `${protocol}/${port}/${family}`;
}

export function publicIpOf(row: LoadBalancerRow, family: IpFamilyName): string {
  return (family === 'IPv4' ? row.publicIpv4 : row.publicIpv6) ?? '';
}

/**
 * The virtual server of a load balancer: its listeners on host addresses (lb-bind-plans), its
 * backends at the host address of each instance's private IP (an imported instance's private IP
 * itself, a real address), and its algorithm, affinity,
 * allowed source ranges and health check.
 */
export function toVirtualServerSpec(
  row: LoadBalancerRow,
  backends: BackendRow[],
  lbBind?: string,
): VirtualServerSpec {
  const spec = JSON.parse(row.spec) as LoadBalancerSpec;
  const families = boundFamilies(JSON.parse(row.ipFamilies) as IpFamilyName[], lbBind);
  const listeners: ListenerSpec[] = families.flatMap((family) =>
    spec.listeners.map((l) => ({
      name: listenerName(l.protocol, l.port, family),
      protocol: l.protocol,
      bind: bindPlanFor(family, publicIpOf(row, family), l.port, lbBind),
      targetPort: l.targetPort,
    })),
  );
  const hc = spec.healthCheck;
  const intervalMs = hc.intervalSeconds * 1000;
  return {
    listeners,
    backends: backends.flatMap((b) => {
      // An imported instance is a real machine (an adopted kind node): dial its own address.
      const address = b.imported ? b.instanceIp : hostAddressOf(b.instanceIp);
      return address ? [{ id: b.instanceId, address }] : [];
    }),
    scheduler: spec.algorithm,
    affinity:
      spec.sessionAffinity.type === 'client_ip'
        ? { timeoutMs: (spec.sessionAffinity.timeoutSeconds ?? 10_800) * 1000 }
        : undefined,
    sourceRanges: hostSourceRanges(spec.allowedSourceRanges),
    healthCheck: {
      protocol: hc.protocol,
      port: hc.port,
      path: hc.path,
      intervalMs,
      timeoutMs: Math.min(intervalMs, MAX_HEALTH_TIMEOUT_MS),
      healthyThreshold: hc.healthyThreshold,
      unhealthyThreshold: hc.unhealthyThreshold,
    },
  };
}

/**
 * Allowed source ranges as the data plane sees clients: each range itself (clients on real
 * addresses, with --lb-bind) plus the loopback addresses its cloud addresses map to, so a client
 * dialling from the host address of an allowed cloud IP (e.g. an instance or pod) is let in.
 */
export function hostSourceRanges(ranges: string[]): string[] {
  return ranges.flatMap((r) => [r, ...hostRangesOf(r)]);
}

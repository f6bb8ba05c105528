import { invalidArgument } from '@app/common';
import type {
  HealthCheckDto,
  IpFamilyName,
  ListenerDto,
  LoadBalancerSpecRequest,
  SessionAffinityDto,
} from '@app/cloud-contracts';
import { parseIpCidr } from '../addresses/ip-cidr';

/** The replaceable part of a load balancer, with every default filled in (stored as JSON). */
export interface LoadBalancerSpec {
  listeners: ListenerDto[];
  healthCheck: HealthCheckDto;
  algorithm: NonNullable<LoadBalancerSpecRequest['algorithm']>;
  sessionAffinity: SessionAffinityDto;
  allowedSourceRanges: string[];
}

const DEFAULT_HEALTH = { intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 3 };
const DEFAULT_HTTP_PATH = '/healthz';
/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds. */
const DEFAULT_AFFINITY_TIMEOUT = 10_800;
const ALL_ADDRESSES: Record<IpFamilyName, string> = { IPv4: '0.0.0.0/0', IPv6: '::/0' };

/** Checks the rules class-validator cannot express and fills in defaults; 400 names the field. */
export function normalizeSpec(
  req: LoadBalancerSpecRequest,
  families: IpFamilyName[],
): LoadBalancerSpec {
  return {
    listeners: normalizeListeners(req.listeners),
    healthCheck: normalizeHealthCheck(req),
    algorithm: req.algorithm ?? 'round_robin',
    sessionAffinity: normalizeAffinity(req.sessionAffinity),
    allowedSourceRanges: normalizeSourceRanges(req.allowedSourceRanges, families),
  };
}

function normalizeListeners(listeners: ListenerDto[]): ListenerDto[] {
  const seen = new Map<string, number>();
  return listeners.map((l, i) => {
    const key = `${l.protocol}/${l.port}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw invalidArgument(
        `listeners[${i}].port`,
        `${key} is already used by listeners[${first}]; protocol and port must be unique`,
      );
    }
    seen.set(key, i);
    return { protocol: l.protocol, port: l.port, targetPort: l.targetPort };
  });
}

function normalizeHealthCheck(req: LoadBalancerSpecRequest): HealthCheckDto {
  const hc = req.healthCheck ?? {};
  const protocol = hc.protocol ?? 'TCP';
  if (protocol !== 'HTTP' && hc.path !== undefined) {
    throw invalidArgument('healthCheck.path', 'is only allowed for HTTP health checks');
  }
  const dto: HealthCheckDto = {
    protocol,
    port: hc.port ?? req.listeners[0].targetPort,
    intervalSeconds: hc.intervalSeconds ?? DEFAULT_HEALTH.intervalSeconds,
    healthyThreshold: hc.healthyThreshold ?? DEFAULT_HEALTH.healthyThreshold,
    unhealthyThreshold: hc.unhealthyThreshold ?? DEFAULT_HEALTH.unhealthyThreshold,
  };
  if (protocol === 'HTTP') {
    dto.path = hc.path ?? DEFAULT_HTTP_PATH;
  }
  return dto;
}

function normalizeAffinity(req: LoadBalancerSpecRequest['sessionAffinity']): SessionAffinityDto {
  if (!req || req.type === 'none') {
    if (req?.timeoutSeconds !== undefined) {
      throw invalidArgument(
        'sessionAffinity.timeoutSeconds',
        'is only allowed with type client_ip',
      );
    }
    return { type: 'none' };
  }
  return { type: 'client_ip', timeoutSeconds: req.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT };
}

/** Canonical CIDRs (host bits cleared, as Kubernetes accepts them), duplicates dropped. */
function normalizeSourceRanges(ranges: string[] | undefined, families: IpFamilyName[]): string[] {
  if (ranges === undefined || ranges.length === 0) {
    return families.map((f) => ALL_ADDRESSES[f]);
  }
  const canonical = ranges.map((r, i) => parseIpCidr(r, `allowedSourceRanges[${i}]`, true).text);
  return [...new Set(canonical)];
}

import type {
  HealthCheckRequest,
  IpFamilyName,
  ListenerDto,
  LoadBalancerDto,
  SessionAffinityRequest,
} from '@app/cloud-contracts';
import { InvalidServiceError } from '../api/errors';
import { loadBalancerSourceRanges, serviceKey } from '../api/helpers';
import type { ProviderService } from '../api/types';
import { canonicalCidr, canonicalIp, ipFamilyOf } from './net';

export const ANNOTATION_PREFIX = 'service.beta.kubernetes.io/nimbus-load-balancer-';
export const ANNOTATION_ALGORITHM = `${ANNOTATION_PREFIX}algorithm`;
export const ANNOTATION_HEALTH_CHECK_PATH = `${ANNOTATION_PREFIX}health-check-path`;
export const ANNOTATION_HEALTH_CHECK_INTERVAL = `${ANNOTATION_PREFIX}health-check-interval`;
export const ANNOTATION_HEALTHY_THRESHOLD = `${ANNOTATION_PREFIX}healthy-threshold`;
export const ANNOTATION_UNHEALTHY_THRESHOLD = `${ANNOTATION_PREFIX}unhealthy-threshold`;

export const ALGORITHMS = ['round_robin', 'least_connections', 'source_ip_hash'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Kubernetes' default ClientIP affinity timeout (3 h). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';
/** kube-proxy's `--healthz-bind-address` port (upstream default 10256). */
export const DEFAULT_KUBE_PROXY_HEALTHZ_PORT = 10256;

/** What the provider knows beyond the Service. */
export interface LoadBalancerSpecContext {
  /** Port of kube-proxy's /healthz on every node (checked when no TCP nodePort can be). */
  kubeProxyHealthzPort: number;
}
export const DEFAULT_HEALTH_CHECK = {
  intervalSeconds: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
};

const ALL_ADDRESSES: Record<IpFamilyName, string> = { IPv4: '0.0.0.0/0', IPv6: '::/0' };

/** Everything of the cloud load balancer that follows from the Service (all but backends). */
export interface DesiredLoadBalancer {
  listeners: ListenerDto[];
  healthCheck: Required<Omit<HealthCheckRequest, 'path'>> & { path?: string };
  algorithm: Algorithm;
  sessionAffinity: SessionAffinityRequest;
  /** Canonical and sorted; undefined = no restriction (the cloud allows the families' everything). */
  allowedSourceRanges?: string[];
  /** Primary family first. Immutable on the cloud side. */
  ipFamilies: IpFamilyName[];
  /** `spec.loadBalancerIP`. Immutable on the cloud side. */
  requestedIp?: string;
}

const invalid = (service: ProviderService, message: string): InvalidServiceError =>
  new InvalidServiceError(`service ${serviceKey(service)}: ${message}`);

function intAnnotation(
  service: ProviderService,
  key: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = service.metadata?.annotations?.[key];
  if (raw === undefined) {
    return fallback;
  }
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(
      service,
      `annotation ${key}: "${raw}" must be an integer between ${min} and ${max}`,
    );
  }
  return Number(value);
}

function listeners(service: ProviderService): ListenerDto[] {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) {
    throw invalid(service, 'a load balancer needs at least one port');
  }
  return ports.map((p) => {
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      throw invalid(
        service,
        `port ${p.port}: protocol ${protocol} is not supported by Nimbus load balancers (TCP and UDP are)`,
      );
    }
    if (!p.nodePort) {
      throw invalid(
        service,
        `port ${p.port}/${protocol} has no nodePort (allocateLoadBalancerNodePorts: false is not supported)`,
      );
    }
    return { protocol, port: p.port, targetPort: p.nodePort };
  });
}

function algorithm(service: ProviderService): Algorithm {
  const raw = service.metadata?.annotations?.[ANNOTATION_ALGORITHM];
  if (raw === undefined) {
    return 'round_robin';
  }
  const value = raw.trim().toLowerCase().replace(/-/g, '_');
  const known = ALGORITHMS.find((a) => a === value);
  if (!known) {
    throw invalid(
      service,
      `annotation ${ANNOTATION_ALGORITHM}: "${raw}" is not one of ${ALGORITHMS.join(', ')}`,
    );
  }
  return known;
}

/**
 * externalTrafficPolicy Local: HTTP on `healthCheckNodePort` (kube-proxy answers only where
 * endpoints run), path `/healthz`. Cluster: TCP on the first TCP port's nodePort, or HTTP on it
 * when a health-check path annotation is set. A Service with UDP ports only has no nodePort a
 * TCP or HTTP check can reach, so its nodes are checked at kube-proxy's `/healthz` (as
 * cloud-provider-kind and KEP-3836 do). Interval and thresholds come from annotations.
 */
function healthCheck(
  service: ProviderService,
  listeners: ListenerDto[],
  context: LoadBalancerSpecContext,
): DesiredLoadBalancer['healthCheck'] {
  const pathAnnotation = service.metadata?.annotations?.[ANNOTATION_HEALTH_CHECK_PATH];
  const path = pathAnnotation?.trim();
  if (path !== undefined && !/^\/[\x21-\x7e]*$/.test(path)) {
    throw invalid(
      service,
      `annotation ${ANNOTATION_HEALTH_CHECK_PATH}: "${pathAnnotation}" must start with "/" (printable ASCII, no spaces)`,
    );
  }
  const timing = {
    intervalSeconds: intAnnotation(
      service,
      ANNOTATION_HEALTH_CHECK_INTERVAL,
      1,
      300,
      DEFAULT_HEALTH_CHECK.intervalSeconds,
    ),
    healthyThreshold: intAnnotation(
      service,
      ANNOTATION_HEALTHY_THRESHOLD,
      1,
      10,
      DEFAULT_HEALTH_CHECK.healthyThreshold,
    ),
    unhealthyThreshold: intAnnotation(
      service,
      ANNOTATION_UNHEALTHY_THRESHOLD,
      1,
      10,
      DEFAULT_HEALTH_CHECK.unhealthyThreshold,
    ),
  };
  if (service.spec?.externalTrafficPolicy === 'Local') {
    const port = service.spec.healthCheckNodePort;
    if (!port) {
      throw invalid(service, 'externalTrafficPolicy Local needs spec.healthCheckNodePort');
    }
    return { protocol: 'HTTP', port, path: path ?? DEFAULT_HEALTH_CHECK_PATH, ...timing };
  }
  const tcp = listeners.find((l) => l.protocol === 'TCP');
  if (!tcp) {
    return {
      protocol: 'HTTP',
      port: context.kubeProxyHealthzPort,
      path: DEFAULT_HEALTH_CHECK_PATH,
      ...timing,
    };
  }
  return path === undefined
    ? { protocol: 'TCP', port: tcp.targetPort, ...timing }
    : { protocol: 'HTTP', port: tcp.targetPort, path, ...timing };
}

function sessionAffinity(service: ProviderService): SessionAffinityRequest {
  const affinity = service.spec?.sessionAffinity ?? 'None';
  if (affinity === 'None') {
    return { type: 'none' };
  }
  if (affinity !== 'ClientIP') {
    throw invalid(service, `sessionAffinity ${affinity} is not supported (None and ClientIP are)`);
  }
  const timeout =
    service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ??
    DEFAULT_AFFINITY_TIMEOUT_SECONDS;
  return { type: 'client_ip', timeoutSeconds: timeout };
}

function ipFamilies(service: ProviderService): IpFamilyName[] {
  const families = service.spec?.ipFamilies ?? [];
  for (const f of families) {
    if (f !== 'IPv4' && f !== 'IPv6') {
      throw invalid(service, `ipFamilies: unknown family ${f}`);
    }
  }
  return families.length > 0 ? [...new Set(families as IpFamilyName[])] : ['IPv4'];
}

function sourceRanges(service: ProviderService): string[] | undefined {
  let ranges: string[];
  try {
    ranges = loadBalancerSourceRanges(service);
  } catch (error) {
    throw invalid(service, (error as Error).message);
  }
  const canonical = ranges.map((r) => {
    const c = canonicalCidr(r);
    if (c === undefined) {
      throw invalid(service, `source range "${r}" is not a CIDR`);
    }
    return c;
  });
  return canonical.length === 0 ? undefined : [...new Set(canonical)].sort();
}

function requestedIp(service: ProviderService, families: IpFamilyName[]): string | undefined {
  const ip = service.spec?.loadBalancerIP?.trim();
  if (!ip) {
    return undefined;
  }
  const family = ipFamilyOf(ip);
  if (family === undefined) {
    throw invalid(service, `loadBalancerIP "${ip}" is not an IP address`);
  }
  if (!families.includes(family)) {
    throw invalid(service, `loadBalancerIP ${ip} is ${family}, not one of ${families.join(', ')}`);
  }
  return ip;
}

/**
 * Maps a Service to the load balancer it wants, validating fields and annotations first: any
 * problem is an InvalidServiceError (→ SyncLoadBalancerFailed) before the cloud is called.
 */
export function desiredLoadBalancer(
  service: ProviderService,
  context: LoadBalancerSpecContext = { kubeProxyHealthzPort: DEFAULT_KUBE_PROXY_HEALTHZ_PORT },
): DesiredLoadBalancer {
  const ls = listeners(service);
  const families = ipFamilies(service);
  return {
    listeners: ls,
    healthCheck: healthCheck(service, ls, context),
    algorithm: algorithm(service),
    sessionAffinity: sessionAffinity(service),
    allowedSourceRanges: sourceRanges(service),
    ipFamilies: families,
    requestedIp: requestedIp(service, families),
  };
}

const listenerKeys = (ls: ListenerDto[]): string =>
  ls
    .map((l) => `${l.protocol}/${l.port}->${l.targetPort}`)
    .sort()
    .join(',');

const rangeKeys = (ranges: string[]): string =>
  [...new Set(ranges.map((r) => canonicalCidr(r) ?? r))].sort().join(',');

/** Why the load balancer must be replaced (immutable fields differ), or undefined. */
export function replacementReason(
  lb: LoadBalancerDto,
  desired: DesiredLoadBalancer,
): string | undefined {
  if ([...lb.ipFamilies].sort().join(',') !== [...desired.ipFamilies].sort().join(',')) {
    return `its IP families change from ${lb.ipFamilies.join(',')} to ${desired.ipFamilies.join(',')}`;
  }
  const ip = desired.requestedIp;
  if (ip !== undefined && !lb.publicIps.some((p) => canonicalIp(p.ip) === canonicalIp(ip))) {
    return `its address changes to the requested ${ip}`;
  }
  return undefined;
}

/** Whether a PUT is needed: any mutable field or the backend set differs. */
export function specDiffers(
  lb: LoadBalancerDto,
  desired: DesiredLoadBalancer,
  backendIds: string[],
): boolean {
  const hc = lb.healthCheck;
  const want = desired.healthCheck;
  const effectiveRanges =
    desired.allowedSourceRanges ?? desired.ipFamilies.map((f) => ALL_ADDRESSES[f]);
  const currentBackends = lb.backends.map((b) => b.instanceId).sort();
  return (
    listenerKeys(lb.listeners) !== listenerKeys(desired.listeners) ||
    currentBackends.join(',') !== [...backendIds].sort().join(',') ||
    hc.protocol !== want.protocol ||
    hc.port !== want.port ||
    (want.protocol === 'HTTP' && hc.path !== want.path) ||
    hc.intervalSeconds !== want.intervalSeconds ||
    hc.healthyThreshold !== want.healthyThreshold ||
    hc.unhealthyThreshold !== want.unhealthyThreshold ||
    lb.algorithm !== desired.algorithm ||
    lb.sessionAffinity.type !== desired.sessionAffinity.type ||
    (desired.sessionAffinity.type === 'client_ip' &&
      lb.sessionAffinity.timeoutSeconds !== desired.sessionAffinity.timeoutSeconds) ||
    rangeKeys(lb.allowedSourceRanges) !== rangeKeys(effectiveRanges)
  );
}

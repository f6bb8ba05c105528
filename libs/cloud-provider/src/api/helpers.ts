import { InvalidServiceError } from './errors';
import type { ProviderService } from './types';

/** `service.beta.kubernetes.io/load-balancer-source-ranges` (comma-separated CIDRs). */
export const ANNOTATION_LOAD_BALANCER_SOURCE_RANGES =
  'service.beta.kubernetes.io/load-balancer-source-ranges';

/** cloudprovider.DefaultLoadBalancerName: `"a"` + the UID without dashes, at most 32 characters. */
export function defaultLoadBalancerName(service: ProviderService): string {
  const name = `a${(service.metadata?.uid ?? '').replace(/-/g, '')}`;
  return name.length > 32 ? name.slice(0, 32) : name;
}

/** cloudprovider.GetInstanceProviderID's format: `<provider name>://<instance id>`. */
export function instanceProviderID(providerName: string, instanceID: string): string {
  return `${providerName}://${instanceID}`;
}

/** `namespace/name`, for messages. */
export function serviceKey(service: ProviderService): string {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

/**
 * servicehelpers.GetLoadBalancerSourceRanges: `spec.loadBalancerSourceRanges`, else the
 * annotation, trimmed and split on commas; empty = no restriction. Only the syntax is checked here.
 */
export function loadBalancerSourceRanges(service: ProviderService): string[] {
  const fromSpec = (service.spec?.loadBalancerSourceRanges ?? []).map((r) => r.trim());
  const annotation = service.metadata?.annotations?.[ANNOTATION_LOAD_BALANCER_SOURCE_RANGES];
  const specified =
    fromSpec.length > 0
      ? { ranges: fromSpec, from: 'spec.loadBalancerSourceRanges' }
      : {
          ranges: (annotation ?? '')
            .split(',')
            .map((r) => r.trim())
            .filter((r) => r.length > 0),
          from: `annotation ${ANNOTATION_LOAD_BALANCER_SOURCE_RANGES}`,
        };
  for (const range of specified.ranges) {
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(range)) {
      throw new InvalidServiceError(
        `${specified.from}: "${range}" is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32`,
      );
    }
  }
  return specified.ranges;
}

/** servicehelpers.RequestsOnlyLocalTraffic: a LoadBalancer/NodePort service with eTP Local. */
export function requestsOnlyLocalTraffic(service: ProviderService): boolean {
  const type = service.spec?.type;
  return (
    (type === 'LoadBalancer' || type === 'NodePort') &&
    service.spec?.externalTrafficPolicy === 'Local'
  );
}

import type { Service } from './service-types';

/** servicehelper.LoadBalancerCleanupFinalizer. */
export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/** Mine: `type: LoadBalancer` without any `loadBalancerClass` (even the provider's own name). */
export function wantsLoadBalancer(service: Service): boolean {
  return service.spec?.type === 'LoadBalancer' && service.spec.loadBalancerClass === undefined;
}

export function hasLoadBalancerFinalizer(service: Service): boolean {
  return (service.metadata?.finalizers ?? []).includes(LOAD_BALANCER_CLEANUP_FINALIZER);
}

/** Has the finalizer and is being deleted or no longer of type LoadBalancer. */
export function needsCleanup(service: Service): boolean {
  if (!hasLoadBalancerFinalizer(service)) {
    return false;
  }
  const deleting = service.metadata?.deletionTimestamp;
  return (deleting !== undefined && deleting !== null) || service.spec?.type !== 'LoadBalancer';
}

/**
 * Upstream's `needsUpdate`: whether a Service that wants (or wanted) a load balancer changed in a
 * way the cloud LB depends on. Labels, selector, status, finalizers, allocateLoadBalancerNodePorts
 * and internalTrafficPolicy do not count. (Upstream only logs the changes; no events.)
 */
export function needsUpdate(old: Service, cur: Service): boolean {
  const oldWants = wantsLoadBalancer(old);
  const curWants = wantsLoadBalancer(cur);
  if (!oldWants && !curWants) {
    return false;
  }
  const o = old.spec ?? {};
  const c = cur.spec ?? {};
  const oldIPs = o.externalIPs ?? [];
  const curIPs = c.externalIPs ?? [];
  return (
    oldWants !== curWants ||
    (curWants && !listsEqual(o.loadBalancerSourceRanges, c.loadBalancerSourceRanges)) ||
    !portsEqualForLB(old, cur) ||
    o.sessionAffinity !== c.sessionAffinity ||
    !deepEqual(o.sessionAffinityConfig, c.sessionAffinityConfig) ||
    (o.loadBalancerIP ?? '') !== (c.loadBalancerIP ?? '') ||
    !listsEqual(oldIPs, curIPs) ||
    !deepEqual(old.metadata?.annotations ?? {}, cur.metadata?.annotations ?? {}) ||
    (old.metadata?.uid ?? '') !== (cur.metadata?.uid ?? '') ||
    (o.externalTrafficPolicy ?? '') !== (c.externalTrafficPolicy ?? '') ||
    (o.healthCheckNodePort ?? 0) !== (c.healthCheckNodePort ?? 0) ||
    (o.ipFamilies?.length ?? 0) !== (c.ipFamilies?.length ?? 0)
  );
}

/** Order-sensitive: name, protocol, port, nodePort, targetPort, appProtocol. */
function portsEqualForLB(old: Service, cur: Service): boolean {
  const x = old.spec?.ports ?? [];
  const y = cur.spec?.ports ?? [];
  return (
    x.length === y.length &&
    x.every((a, i) => {
      const b = y[i];
      return (
        (a.name ?? '') === (b.name ?? '') &&
        (a.protocol ?? '') === (b.protocol ?? '') &&
        a.port === b.port &&
        (a.nodePort ?? 0) === (b.nodePort ?? 0) &&
        String(a.targetPort ?? '') === String(b.targetPort ?? '') &&
        a.appProtocol === b.appProtocol
      );
    })
  );
}

/** Go's `%v` of a string slice: `[a b]`. */
export function goList(values: readonly string[] | undefined): string {
  return `[${(values ?? []).join(' ')}]`;
}

function listsEqual(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Structural equality of JSON values (what reflect.DeepEqual means for decoded objects). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

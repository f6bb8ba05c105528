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

/** A spec change the controller reacts to, with upstream's informational event (reason, message). */
export interface ServiceChange {
  reason?: string;
  message?: string;
}

/**
 * Upstream's `needsUpdate`: the first relevant difference between two versions of a Service that
 * wants (or wanted) a load balancer, or undefined. Labels, selector, status, finalizers,
 * allocateLoadBalancerNodePorts and internalTrafficPolicy are not relevant.
 */
export function loadBalancerChange(old: Service, cur: Service): ServiceChange | undefined {
  const oldWants = wantsLoadBalancer(old);
  const curWants = wantsLoadBalancer(cur);
  if (!oldWants && !curWants) {
    return undefined;
  }
  const o = old.spec ?? {};
  const c = cur.spec ?? {};
  if (oldWants !== curWants) {
    return { reason: 'Type', message: `${o.type ?? ''} -> ${c.type ?? ''}` };
  }
  if (curWants && !listsEqual(o.loadBalancerSourceRanges, c.loadBalancerSourceRanges)) {
    return {
      reason: 'LoadBalancerSourceRanges',
      message: `${goList(o.loadBalancerSourceRanges)} -> ${goList(c.loadBalancerSourceRanges)}`,
    };
  }
  if (!portsEqualForLB(old, cur) || o.sessionAffinity !== c.sessionAffinity) {
    return {};
  }
  if (!deepEqual(o.sessionAffinityConfig, c.sessionAffinityConfig)) {
    return {};
  }
  if ((o.loadBalancerIP ?? '') !== (c.loadBalancerIP ?? '')) {
    return {
      reason: 'LoadbalancerIP',
      message: `${o.loadBalancerIP ?? ''} -> ${c.loadBalancerIP ?? ''}`,
    };
  }
  const oldIPs = o.externalIPs ?? [];
  const curIPs = c.externalIPs ?? [];
  if (oldIPs.length !== curIPs.length) {
    return { reason: 'ExternalIP', message: `Count: ${oldIPs.length} -> ${curIPs.length}` };
  }
  const changed = oldIPs.findIndex((ip, i) => ip !== curIPs[i]);
  if (changed >= 0) {
    return { reason: 'ExternalIP', message: `Added: ${curIPs[changed]}` };
  }
  if (!deepEqual(old.metadata?.annotations ?? {}, cur.metadata?.annotations ?? {})) {
    return {};
  }
  if ((old.metadata?.uid ?? '') !== (cur.metadata?.uid ?? '')) {
    return { reason: 'UID', message: `${old.metadata?.uid ?? ''} -> ${cur.metadata?.uid ?? ''}` };
  }
  if ((o.externalTrafficPolicy ?? '') !== (c.externalTrafficPolicy ?? '')) {
    return {
      reason: 'ExternalTrafficPolicy',
      message: `${o.externalTrafficPolicy ?? ''} -> ${c.externalTrafficPolicy ?? ''}`,
    };
  }
  if ((o.healthCheckNodePort ?? 0) !== (c.healthCheckNodePort ?? 0)) {
    return {
      reason: 'HealthCheckNodePort',
      message: `${o.healthCheckNodePort ?? 0} -> ${c.healthCheckNodePort ?? 0}`,
    };
  }
  const oldFamilies = o.ipFamilies?.length ?? 0;
  const curFamilies = c.ipFamilies?.length ?? 0;
  if (oldFamilies !== curFamilies) {
    return { reason: 'IPFamilies', message: `Count: ${oldFamilies} -> ${curFamilies}` };
  }
  return undefined;
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

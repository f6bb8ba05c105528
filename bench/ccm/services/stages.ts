import { performance } from 'node:perf_hooks';
import type { CloudProvider, LoadBalancer } from '@app/cloud-provider';

/**
 * The moments of one Service on its way to ingress, in ms of `performance.now()` (one process:
 * bench, api-server, cloud API and CCM share the clock).
 */
export const STAGES = [
  'sent', // the bench sends the create
  'created', // the api-server answered the create
  'watched', // the bench's informer got the ADDED event (the CCM's informer gets the same one)
  'finalizer', // the bench's informer saw the controller's cleanup finalizer (its sync began)
  'ensureStart', // the service controller called EnsureLoadBalancer (after its finalizer patch)
  'ensureEnd', // EnsureLoadBalancer returned: cloud lookup + create acknowledged, LB active
  'ingress', // the bench's informer saw status.loadBalancer.ingress (status patch + watch)
] as const;
export type Stage = (typeof STAGES)[number];

/** Per-Service stage times, first occurrence wins (a retried sync keeps its first start). */
export class StageLog {
  private readonly times = new Map<string, Partial<Record<Stage, number>>>();

  mark(name: string, stage: Stage, at = performance.now()): void {
    const entry = this.times.get(name) ?? {};
    entry[stage] ??= at;
    this.times.set(name, entry);
  }

  has(name: string, stage: Stage): boolean {
    return this.times.get(name)?.[stage] !== undefined;
  }

  /** Durations `to − from` of every Service named `prefix…` that has both, sorted. */
  between(from: Stage, to: Stage, prefix = ''): number[] {
    const out: number[] = [];
    for (const [name, t] of this.times) {
      if (name.startsWith(prefix) && t[from] !== undefined && t[to] !== undefined) {
        out.push(t[to] - t[from]);
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** The latest time of `stage` among the Services named `prefix…`. */
  last(stage: Stage, prefix = ''): number {
    let last = -Infinity;
    for (const [name, t] of this.times) {
      if (name.startsWith(prefix)) {
        last = Math.max(last, t[stage] ?? -Infinity);
      }
    }
    return last;
  }
}

/**
 * The real provider, with EnsureLoadBalancer timed per Service (by `metadata.name`): the
 * controller's only call between its finalizer patch and its status patch.
 */
export function timedProvider(real: CloudProvider, log: StageLog): CloudProvider {
  const inner = real.loadBalancer();
  const balancer: LoadBalancer | undefined = inner && {
    getLoadBalancer: (cluster, svc) => inner.getLoadBalancer(cluster, svc),
    getLoadBalancerName: (cluster, svc) => inner.getLoadBalancerName(cluster, svc),
    updateLoadBalancer: (cluster, svc, nodes) => inner.updateLoadBalancer(cluster, svc, nodes),
    ensureLoadBalancerDeleted: (cluster, svc) => inner.ensureLoadBalancerDeleted(cluster, svc),
    async ensureLoadBalancer(cluster, svc, nodes) {
      const name = svc.metadata?.name ?? '';
      log.mark(name, 'ensureStart');
      const status = await inner.ensureLoadBalancer(cluster, svc, nodes);
      log.mark(name, 'ensureEnd');
      return status;
    },
  };
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'loadBalancer') {
        return () => balancer;
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

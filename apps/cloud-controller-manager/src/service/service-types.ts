import type { EventRecorder, HasSynced, Informer } from '@app/controller-runtime';
import type { V1Node, V1Service } from '@app/kube-client';
import type { ServiceCondition } from './load-balancer-conditions';

/** Reads an informer's cache by `namespace/name` key (client-go's lister). */
export interface Lister<T> {
  get(key: string): T | undefined;
  list(): T[];
}

/** An informer together with its cache: what the service controller watches and reads. */
export type CachedInformer<T> = Informer<T> & Lister<T> & HasSynced;

export type Service = V1Service;
export type Node = V1Node;
export type LoadBalancerIngress = NonNullable<
  NonNullable<NonNullable<V1Service['status']>['loadBalancer']>['ingress']
>[number];

/** The writes the controller makes to Services (upstream's servicehelper.PatchService calls). */
export interface ServiceWriter {
  /** Sets `metadata.finalizers` of the Service to `finalizers`. */
  patchFinalizers(service: Service, finalizers: string[]): Promise<void>;
  /** Writes `status.loadBalancer.ingress` through the status subresource (empty = cleared). */
  patchLoadBalancerStatus(service: Service, ingress: LoadBalancerIngress[]): Promise<void>;
  /**
   * Sets these `status.conditions` and removes those of `removeTypes`, keeping every other
   * condition (a strategic merge by `type`).
   */
  patchConditions(
    service: Service,
    conditions: readonly ServiceCondition[],
    removeTypes?: readonly string[],
  ): Promise<void>;
}

/** The recorder surface the controller uses. */
export type ServiceEventRecorder = Pick<EventRecorder, 'event'>;

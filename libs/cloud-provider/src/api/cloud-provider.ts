import type { NodeAdoption } from './node-adoption';
import type {
  InstanceMetadata,
  LoadBalancerStatus,
  ProviderNode,
  ProviderService,
  Route,
  Zone,
} from './types';
import type { Volumes } from './volumes';

/*
 * The provider interface of k8s.io/cloud-provider (cloud.go), in TypeScript. Go's `(X, bool)`
 * capability accessors answer `X | undefined` (undefined = not supported); Go's `ctx` is left out.
 * Node and service arguments are read-only to implementations.
 */

export interface CloudProvider {
  /** e.g. `nimbus`; the scheme of provider IDs. */
  providerName(): string;
  /** Called once before the controllers start. */
  initialize?(): Promise<void>;
  /** When supported, zones() is never called by the controllers. */
  instancesV2(): InstancesV2 | undefined;
  loadBalancer(): LoadBalancer | undefined;
  routes(): Routes | undefined;
  zones(): Zones | undefined;
  /**
   * Block volumes for the CSI-style volume controllers; optional (providers and test doubles
   * without it simply have no volume controllers).
   */
  volumes?(): Volumes | undefined;
  /** True when a cluster name/ID tags the resources the provider creates. */
  hasClusterID(): boolean;
  /** Nimbus extension (not upstream): adopting nodes the cloud does not run. */
  nodeAdoption?(): NodeAdoption | undefined;
}

export interface InstancesV2 {
  /** false (no error) → the node controller deletes the Node. Stopped instances exist. */
  instanceExists(node: ProviderNode): Promise<boolean>;
  /** true → the lifecycle controller taints the node `…/shutdown:NoSchedule`. */
  instanceShutdown(node: ProviderNode): Promise<boolean>;
  /** Throws InstanceNotFoundError when the instance is gone. */
  instanceMetadata(node: ProviderNode): Promise<InstanceMetadata>;
}

export interface GetLoadBalancerResult {
  status: LoadBalancerStatus;
  exists: boolean;
}

export interface LoadBalancer {
  getLoadBalancer(clusterName: string, service: ProviderService): Promise<GetLoadBalancerResult>;
  getLoadBalancerName(clusterName: string, service: ProviderService): string;
  /**
   * Creates or updates the LB; resolves with its status once it serves. May throw a RetryError
   * (still provisioning), ImplementedElsewhereError or any error (→ SyncLoadBalancerFailed).
   */
  ensureLoadBalancer(
    clusterName: string,
    service: ProviderService,
    nodes: ProviderNode[],
  ): Promise<LoadBalancerStatus>;
  /** Backend hosts only; receives the full desired node list. */
  updateLoadBalancer(
    clusterName: string,
    service: ProviderService,
    nodes: ProviderNode[],
  ): Promise<void>;
  /** Resolves when the LB is gone or going; also when it never existed. */
  ensureLoadBalancerDeleted(clusterName: string, service: ProviderService): Promise<void>;
}

export interface Routes {
  /** The routes this cluster owns. */
  listRoutes(clusterName: string): Promise<Route[]>;
  /** `nameHint` is the node UID; `route.name` is ignored. */
  createRoute(clusterName: string, nameHint: string, route: Route): Promise<void>;
  /** `route` as listRoutes answered it. */
  deleteRoute(clusterName: string, route: Route): Promise<void>;
}

/** Deprecated upstream; only used without InstancesV2. */
export interface Zones {
  getZone(): Promise<Zone>;
  getZoneByProviderID(providerID: string): Promise<Zone>;
  getZoneByNodeName(nodeName: string): Promise<Zone>;
}

/*
 * The small Node/Service shapes the provider reads. They are structural subsets of the Kubernetes
 * objects (same field names, everything optional as in the generated client models), so a
 * controller can pass a V1Node / V1Service from the informer cache as is. Read-only to providers.
 */

export type NodeAddressType =
  'Hostname' | 'InternalIP' | 'ExternalIP' | 'InternalDNS' | 'ExternalDNS';

export interface NodeAddress {
  /** One of NodeAddressType (typed as string so Kubernetes objects fit). */
  type: string;
  address: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ProviderNode {
  metadata?: ObjectMeta;
  spec?: { providerID?: string; podCIDRs?: string[] };
  status?: { addresses?: NodeAddress[] };
}

export interface ServicePort {
  name?: string;
  /** TCP (default), UDP or SCTP. */
  protocol?: string;
  port: number;
  /** The backend port on every node; 0/absent when allocateLoadBalancerNodePorts is false. */
  nodePort?: number;
}

export interface ProviderServiceSpec {
  type?: string;
  ports?: ServicePort[];
  loadBalancerClass?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  /** None (default) or ClientIP. */
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  /** Cluster (default) or Local. */
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  /** IPv4 and/or IPv6, primary first. */
  ipFamilies?: string[];
}

export interface ProviderService {
  metadata?: ObjectMeta;
  spec?: ProviderServiceSpec;
  /** The ingress already published; a Service without any has most likely no load balancer. */
  status?: { loadBalancer?: { ingress?: unknown[] } };
}

/** What InstancesV2.instanceMetadata answers (k8s.io/cloud-provider InstanceMetadata). */
export interface InstanceMetadata {
  /** `nimbus://<project>/<zone>/<instance id>`. */
  providerID: string;
  instanceType: string;
  nodeAddresses: NodeAddress[];
  zone: string;
  region: string;
  /** Extra node labels; the node controller drops kubernetes.io / k8s.io keys. */
  additionalLabels: Record<string, string>;
}

export type LoadBalancerIPMode = 'VIP' | 'Proxy';

export interface PortStatus {
  port: number;
  protocol: string;
  error?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: LoadBalancerIPMode;
  ports?: PortStatus[];
}

/** `status.loadBalancer` of a Service. */
export interface LoadBalancerStatus {
  ingress: LoadBalancerIngress[];
}

/** k8s.io/cloud-provider Route. */
export interface Route {
  /** The cloud's name of the route; ignored by createRoute. */
  name?: string;
  /** The node name the route points at. */
  targetNode: string;
  enableNodeAddresses?: boolean;
  targetNodeAddresses?: NodeAddress[];
  destinationCIDR: string;
  /** The next hop is gone; the route controller deletes such routes. */
  blackhole?: boolean;
}

/** k8s.io/cloud-provider Zone (deprecated Zones interface). */
export interface Zone {
  failureDomain: string;
  region: string;
}

import { CloudProviderError } from './errors';
import type { ProviderNode } from './types';

/*
 * A Nimbus extension, not part of k8s.io/cloud-provider: nodes whose machines the cloud does not
 * run (kind containers, minikube VMs, k3s hosts) can be *adopted* — imported into the cloud as
 * instances — so the usual controllers initialise and serve them.
 */

/** What the cloud records for an adopted node (`POST /v1/instances:import`). */
export interface NodeImportRequest {
  /** The node name (the CCM finds the instance by it). */
  name: string;
  /** The node's real IPv4 InternalIP: what the kubelet's provided-node-ip check expects. */
  privateIp: string;
  zone?: string;
  instanceType?: string;
  labels?: Record<string, string>;
}

/** The instance behind a node, as far as adoption cares. */
export interface NodeInstance {
  id: string;
  name: string;
  providerID: string;
  /** Recorded by an import (a machine outside the cloud) rather than created by the cloud. */
  imported: boolean;
  state: string;
  privateIp: string;
  zone: string;
  instanceType: string;
}

/** How the provider adopts nodes it has no instance for (given by the CCM's `--adopt-nodes`). */
export interface NodeAdoptionPolicy {
  /**
   * The import of this node, or undefined when it is not to be adopted (now). Throws, naming what
   * is missing, when it should be adopted but cannot be (e.g. it has no IPv4 address).
   */
  importRequest(node: ProviderNode): NodeImportRequest | undefined;
  /** Called once per import the provider made. */
  onImported?(node: ProviderNode, instance: NodeInstance): void;
}

export interface NodeAdoption {
  /** True when the provider imports nodes it has no instance for. */
  readonly adopting: boolean;
  /** The live instance behind the node (by provider ID, else name, else InternalIP); no import. */
  findInstance(node: ProviderNode): Promise<NodeInstance | undefined>;
  /**
   * The live instance behind the node, importing the node first when the provider adopts and has
   * none. Undefined only when it does not adopt and finds none.
   */
  ensureInstance(node: ProviderNode): Promise<NodeInstance | undefined>;
}

/** A node could not be adopted (no usable address, the import refused); `cause` says why. */
export class NodeAdoptionError extends CloudProviderError {}

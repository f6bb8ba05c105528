import {
  CoreV1Api,
  type KubeConfig,
  type V1Node,
  type V1NodeAddress,
  type V1NodeCondition,
  type V1Service,
} from '@kubernetes/client-node';
import { KubeRest } from './kube-rest';
import type { PatchType } from './patch-type';
import { StorageClients } from './storage-clients';
import { makeApiClient } from './api-clients';

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;
const servicePath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`;

/**
 * The node calls the CCM makes (client-go's `Nodes()` surface it uses), as plain JSON through
 * `KubeRest`: the objects have the shape the informers deliver (timestamps as strings), and a call
 * costs no model (de)serialisation.
 */
export class NodeClient {
  constructor(private readonly rest: KubeRest) {}

  get(name: string): Promise<V1Node> {
    return this.rest.get<V1Node>(nodePath(name));
  }

  /** Full PUT at the object's resourceVersion (409 on a stale read), as the node controller does. */
  update(node: V1Node): Promise<V1Node> {
    return this.rest.replace<V1Node>(nodePath(node.metadata!.name!), node);
  }

  patch(name: string, body: object, type: PatchType = 'strategic'): Promise<V1Node> {
    return this.rest.patch<V1Node>(nodePath(name), body, type);
  }

  patchStatus(name: string, body: object, type: PatchType = 'strategic'): Promise<V1Node> {
    return this.rest.patch<V1Node>(`${nodePath(name)}/status`, body, type);
  }

  /** Replaces `status.addresses` as a whole (a merge patch replaces lists). */
  patchAddresses(name: string, addresses: V1NodeAddress[]): Promise<V1Node> {
    return this.patchStatus(name, { status: { addresses } }, 'merge');
  }

  /** Strategic merge of conditions (merge key `type`: other conditions are kept). */
  patchConditions(name: string, conditions: V1NodeCondition[]): Promise<V1Node> {
    return this.patchStatus(name, { status: { conditions } }, 'strategic');
  }

  async delete(name: string): Promise<void> {
    await this.rest.delete(nodePath(name));
  }
}

/** The service calls the CCM makes, as plain JSON through `KubeRest` (as `NodeClient`). */
export class ServiceClient {
  constructor(private readonly rest: KubeRest) {}

  get(namespace: string, name: string): Promise<V1Service> {
    return this.rest.get<V1Service>(servicePath(namespace, name));
  }

  patch(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1Service> {
    return this.rest.patch<V1Service>(servicePath(namespace, name), body, type);
  }

  /** Sets `metadata.finalizers` to exactly `finalizers` (merge patch; `resourceVersion` guards it). */
  patchFinalizers(
    namespace: string,
    name: string,
    finalizers: string[],
    resourceVersion?: string,
  ): Promise<V1Service> {
    return this.patch(namespace, name, {
      metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) },
    });
  }

  patchStatus(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1Service> {
    return this.rest.patch<V1Service>(`${servicePath(namespace, name)}/status`, body, type);
  }

  /** Replaces `status.loadBalancer` (empty `ingress` clears it). */
  patchLoadBalancerStatus(
    namespace: string,
    name: string,
    loadBalancer: { ingress?: object[] },
  ): Promise<V1Service> {
    return this.patchStatus(namespace, name, {
      status: { loadBalancer: { ingress: loadBalancer.ingress ?? null } },
    });
  }
}

/** Typed access to the resources the CCM writes, over one kubeconfig. */
export class KubeClient {
  readonly nodes: NodeClient;
  readonly services: ServiceClient;
  /** PVs, PVCs, StorageClasses, CSIDrivers, CSINodes, VolumeAttachments (the CSI sidecars' calls). */
  readonly storage: StorageClients;
  readonly core: CoreV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.core = makeApiClient(kubeConfig, CoreV1Api);
    const rest = new KubeRest(kubeConfig);
    this.nodes = new NodeClient(rest);
    this.services = new ServiceClient(rest);
    this.storage = new StorageClients(rest);
  }
}

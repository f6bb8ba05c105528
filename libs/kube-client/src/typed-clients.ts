import {
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type V1Node,
  type V1NodeAddress,
  type V1NodeCondition,
  type V1Service,
} from '@kubernetes/client-node';
import { contentType, type PatchType } from './patch-type';
import { StorageClients } from './storage-clients';
import { makeApiClient } from './api-clients';

/** The node calls the CCM makes (client-go's `Nodes()` surface it uses). */
export class NodeClient {
  constructor(private readonly core: CoreV1Api) {}

  get(name: string): Promise<V1Node> {
    return this.core.readNode({ name });
  }

  /** Full PUT at the object's resourceVersion (409 on a stale read), as the node controller does. */
  update(node: V1Node): Promise<V1Node> {
    return this.core.replaceNode({ name: node.metadata!.name!, body: node });
  }

  patch(name: string, body: object, type: PatchType = 'strategic'): Promise<V1Node> {
    return this.core.patchNode({ name, body }, contentType(type));
  }

  patchStatus(name: string, body: object, type: PatchType = 'strategic'): Promise<V1Node> {
    return this.core.patchNodeStatus({ name, body }, contentType(type));
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
    await this.core.deleteNode({ name });
  }
}

/** The service calls the CCM makes. */
export class ServiceClient {
  constructor(private readonly core: CoreV1Api) {}

  get(namespace: string, name: string): Promise<V1Service> {
    return this.core.readNamespacedService({ namespace, name });
  }

  patch(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1Service> {
    return this.core.patchNamespacedService({ namespace, name, body }, contentType(type));
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
    return this.core.patchNamespacedServiceStatus({ namespace, name, body }, contentType(type));
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
    this.nodes = new NodeClient(this.core);
    this.services = new ServiceClient(this.core);
    this.storage = new StorageClients(this.core, makeApiClient(kubeConfig, StorageV1Api));
  }
}

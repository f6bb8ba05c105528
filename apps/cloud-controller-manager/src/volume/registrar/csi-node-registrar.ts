import type { Volumes } from '@app/cloud-provider';
import { Controller, type Logger, type Scheduler } from '@app/controller-runtime';
import {
  statusCodeOf,
  type InformerAdapter,
  type KubeClient,
  type V1CSINode,
  type V1CSINodeDriver,
  type V1Node,
} from '@app/kube-client';
import type { Registry } from 'prom-client';

const TAINT_UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface CsiNodeRegistrarDeps {
  volumes: Volumes;
  driver: string;
  kube: KubeClient;
  nodes: InformerAdapter<V1Node>;
  csiNodes: InformerAdapter<V1CSINode>;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
}

const initialised = (node: V1Node) =>
  (node.spec?.providerID ?? '') !== '' &&
  !(node.spec?.taints ?? []).some((t) => t.key === TAINT_UNINITIALIZED);

/** What the registration depends on; other node updates (status heartbeats) are ignored. */
const registrationInputs = (node: V1Node) =>
  JSON.stringify([
    initialised(node),
    node.spec?.providerID,
    node.metadata?.labels?.[INSTANCE_TYPE_LABEL],
    node.metadata?.labels?.[ZONE_LABEL],
  ]);

const sameEntry = (a: V1CSINodeDriver | undefined, b: V1CSINodeDriver) =>
  a !== undefined &&
  a.nodeID === b.nodeID &&
  JSON.stringify(a.topologyKeys ?? []) === JSON.stringify(b.topologyKeys ?? []) &&
  a.allocatable?.count === b.allocatable?.count;

/**
 * What node-driver-registrar and the kubelet do when a CSI node plugin registers, done from the
 * control plane because Nimbus has no node plugin: for every initialised node, the driver's entry
 * on its CSINode (node ID = instance ID, topology keys, `allocatable.count` = the instance type's
 * attach limit, which the scheduler's volume limits read) and the driver's topology labels on the
 * Node. A missing CSINode is created owned by its Node, as the kubelet creates it.
 */
export class CsiNodeRegistrar {
  private readonly controller: Controller;

  constructor(private readonly deps: CsiNodeRegistrarDeps) {
    this.controller = new Controller({
      name: 'csi-node-driver-registrar',
      queueName: 'csi-node-driver-registrar',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      reconcile: (name) => this.sync(name),
    });
    this.controller.watch(deps.nodes, {
      update: (oldNode, newNode) => registrationInputs(oldNode) !== registrationInputs(newNode),
      delete: false,
    });
    this.controller.watch(deps.csiNodes, {
      add: false,
      update: (oldCsiNode, newCsiNode) =>
        JSON.stringify(this.entry(oldCsiNode)) !== JSON.stringify(this.entry(newCsiNode)),
    });
  }

  start(): Promise<boolean> {
    return this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private entry(csiNode: V1CSINode): V1CSINodeDriver | undefined {
    return csiNode.spec?.drivers?.find((d) => d.name === this.deps.driver);
  }

  private async sync(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node || node.metadata?.deletionTimestamp || !initialised(node)) {
      return;
    }
    const info = await this.deps.volumes.nodeInfo(node);
    const desired: V1CSINodeDriver = {
      name: this.deps.driver,
      nodeID: info.nodeId,
      topologyKeys: Object.keys(info.accessibleTopology).sort(),
      allocatable: { count: info.maxVolumesPerNode },
    };
    const labels = node.metadata?.labels ?? {};
    const missing = Object.entries(info.accessibleTopology).filter(([k, v]) => labels[k] !== v);
    if (missing.length > 0) {
      await this.deps.kube.nodes.patch(name, {
        metadata: { labels: Object.fromEntries(missing) },
      });
    }
    const csiNode = this.deps.csiNodes.get(name);
    if (!csiNode) {
      await this.create(node, desired);
    } else if (!sameEntry(this.entry(csiNode), desired)) {
      await this.deps.kube.storage.csiNodes.patch(name, { spec: { drivers: [desired] } });
    }
  }

  private async create(node: V1Node, driver: V1CSINodeDriver): Promise<void> {
    const name = node.metadata?.name ?? '';
    try {
      await this.deps.kube.storage.csiNodes.create({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'CSINode',
        metadata: {
          name,
          ownerReferences: [
            { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid ?? '' },
          ],
        },
        spec: { drivers: [driver] },
      });
    } catch (err) {
      if (statusCodeOf(err) !== 409) {
        throw err;
      }
      // The kubelet created it meanwhile: add our entry to theirs.
      await this.deps.kube.storage.csiNodes.patch(name, { spec: { drivers: [driver] } });
    }
  }
}

import { NodeAdoptionError, isNimbusProviderID, type NodeAdoption } from '@app/cloud-provider';
import {
  Controller,
  EventType,
  objectReference,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { InformerAdapter, V1Node } from '@app/kube-client';
import type { Registry } from 'prom-client';
import { NODE_TYPE_META, TAINT_UNINITIALIZED } from '../node/node-constants';

export interface NodeAdoptionControllerDeps {
  nodes: InformerAdapter<V1Node>;
  adoption: NodeAdoption;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
}

const readiness = (node: V1Node) =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
const uninitialized = (node: V1Node) =>
  (node.spec?.taints ?? []).some((t) => t.key === TAINT_UNINITIALIZED);

/**
 * `--adopt-nodes`: makes sure every Node without a Nimbus providerID has an instance, importing
 * the ones the cloud does not know — also nodes the node controller never initialises (registered
 * without the uninitialized taint, e.g. k3s nodes that had k3s's own CCM), so load balancers and
 * routes can use them. A node that cannot be adopted gets `Warning InstanceImportFailed` and is
 * retried with backoff. Imports are reported by the provider's policy (`InstanceImported`).
 */
export class NodeAdoptionController {
  readonly controller: Controller;

  constructor(private readonly deps: NodeAdoptionControllerDeps) {
    this.controller = new Controller({
      name: 'nimbus-node-adoption-controller',
      queueName: 'node-adoption',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      reconcile: (name) => this.sync(name),
    });
    // Heartbeats change nothing adoption cares about: only a new providerID, taints or readiness.
    this.controller.watch(deps.nodes, {
      update: (old, cur) =>
        old.spec?.providerID !== cur.spec?.providerID ||
        uninitialized(old) !== uninitialized(cur) ||
        readiness(old) !== readiness(cur),
      delete: false,
    });
  }

  start(): Promise<boolean> {
    return this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  async sync(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node || isNimbusProviderID(node.spec?.providerID ?? '')) {
      return;
    }
    try {
      await this.deps.adoption.ensureInstance(node);
    } catch (err) {
      if (err instanceof NodeAdoptionError) {
        this.deps.recorder.event(
          objectReference(node, NODE_TYPE_META),
          EventType.Warning,
          'InstanceImportFailed',
          err.message,
        );
      }
      throw err;
    }
  }
}

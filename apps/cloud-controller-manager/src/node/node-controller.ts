import type { InstanceMetadata, InstancesV2 } from '@app/cloud-provider';
import {
  Controller,
  EventType,
  Periodic,
  errorMessage,
  objectReference,
  sleep,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { isConflict, type InformerAdapter, type KubeClient, type V1Node } from '@app/kube-client';
import type { Registry } from 'prom-client';
import { desiredNodeAddresses, nodeAddressesChanged } from './node-addresses';
import { BETA_TO_GA_LABELS, NODE_TYPE_META, TAINT_UNINITIALIZED } from './node-constants';
import { NodeControllerMetrics } from './node-metrics';
import { nodeModifiers } from './node-modifiers';

/** UpdateNodeSpecBackoff: 20 steps of 50 ms (jitter 1.0). */
const UPDATE_NODE_SPEC_STEPS = 20;
const UPDATE_NODE_SPEC_DELAY_MS = 50;
/** helpers/labels.go: 5 tries, 100 ms apart. */
const LABEL_PATCH_TRIES = 5;
const LABEL_PATCH_DELAY_MS = 100;

export interface NodeControllerDeps {
  nodes: InformerAdapter<V1Node>;
  instances: InstancesV2;
  kube: KubeClient;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  registry: Registry;
  workers: number;
  nodeStatusUpdateFrequencyMs: number;
  random?: () => number;
}

const isTainted = (node: V1Node) =>
  (node.spec?.taints ?? []).some((t) => t.key === TAINT_UNINITIALIZED);

/**
 * The cloud node controller (controllers/node/node_controller.go): initialises nodes carrying the
 * uninitialized taint from the cloud's instance metadata in one Update, then patches their
 * addresses and records `Synced`; keeps beta→GA labels aligned; refreshes the addresses of
 * initialised nodes every `--node-status-update-frequency`, writing only on change.
 */
export class CloudNodeController {
  readonly controller: Controller;
  private readonly statusLoop: Periodic;
  private readonly metrics: NodeControllerMetrics;
  private readonly random: () => number;

  constructor(private readonly deps: NodeControllerDeps) {
    this.metrics = new NodeControllerMetrics(deps.registry);
    this.random = deps.random ?? Math.random;
    this.controller = new Controller({
      name: 'cloud-node-controller',
      queueName: 'Nodes',
      scheduler: deps.scheduler,
      logger: deps.logger,
      registry: deps.registry,
      workers: deps.workers,
      reconcile: (key) => this.syncNode(key),
    });
    // Add and Update enqueue; deletions need nothing.
    this.controller.watch(deps.nodes, { delete: false });
    this.statusLoop = new Periodic(
      {
        name: 'cloud-node-status-update',
        periodMs: deps.nodeStatusUpdateFrequencyMs,
        run: () => this.updateNodeStatus(),
      },
      deps.scheduler,
      deps.logger,
    );
  }

  async start(): Promise<void> {
    await this.controller.start();
    this.statusLoop.start();
  }

  async stop(): Promise<void> {
    await this.statusLoop.stop();
    await this.controller.stop();
  }

  /** syncNode: labels only for initialised nodes; full initialisation for tainted ones. */
  async syncNode(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node) {
      return;
    }
    if (!isTainted(node)) {
      await this.reconcileNodeLabels(node);
      return;
    }
    await this.initializeNode(node);
  }

  private async initializeNode(node: V1Node): Promise<void> {
    const { logger, instances } = this.deps;
    const name = node.metadata!.name!;
    logger.info({ node: name }, `Initializing node ${name} with cloud provider`);
    const metadata = await instances.instanceMetadata(node);
    const providerID = metadata.providerID || node.spec?.providerID || '';
    if (!providerID) {
      throw new Error(`cloud provider does not set node provider ID for node ${name}`);
    }
    const modifiers = nodeModifiers(node, metadata, providerID, logger);

    let updated: V1Node | undefined;
    let current: V1Node = node;
    for (let attempt = 1; ; attempt++) {
      const copy = structuredClone(current);
      modifiers.forEach((modify) => modify(copy));
      try {
        updated = await this.deps.kube.nodes.update(copy);
        break;
      } catch (err) {
        if (!isConflict(err) || attempt >= UPDATE_NODE_SPEC_STEPS) {
          throw err;
        }
        await sleep(this.deps.scheduler, UPDATE_NODE_SPEC_DELAY_MS * (1 + this.random()));
        current = await this.deps.kube.nodes.get(name);
        if (!isTainted(current)) {
          return; // someone else initialised it meanwhile
        }
      }
    }
    this.metrics.taintRemovalDelay.observe(this.secondsSinceCreation(updated));
    await this.updateNodeAddress(updated, metadata);
    logger.info({ node: name }, `Successfully initialized node ${name} with cloud provider`);
    this.deps.recorder.event(
      objectReference(updated, NODE_TYPE_META),
      EventType.Normal,
      'Synced',
      'Node synced successfully',
    );
    this.metrics.initialNodeSyncDelay.observe(this.secondsSinceCreation(updated));
  }

  /** Beta labels are the source of truth: GA follows (strategic merge, 5 tries). */
  private async reconcileNodeLabels(node: V1Node): Promise<void> {
    const labels = node.metadata?.labels ?? {};
    const patch: Record<string, string> = {};
    for (const [beta, ga] of BETA_TO_GA_LABELS) {
      if (beta in labels && labels[ga] !== labels[beta]) {
        patch[ga] = labels[beta];
      }
    }
    if (Object.keys(patch).length === 0) {
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.kube.nodes.patch(node.metadata!.name!, { metadata: { labels: patch } });
        return;
      } catch (err) {
        if (attempt >= LABEL_PATCH_TRIES) {
          throw err;
        }
        await sleep(this.deps.scheduler, LABEL_PATCH_DELAY_MS);
      }
    }
  }

  /** updateNodeAddress: skip tainted nodes and empty cloud lists; patch only on change. */
  private async updateNodeAddress(node: V1Node, metadata: InstanceMetadata): Promise<void> {
    const name = node.metadata?.name ?? '';
    if (isTainted(node) || metadata.nodeAddresses.length === 0) {
      return;
    }
    let desired;
    try {
      desired = desiredNodeAddresses(node, metadata.nodeAddresses);
    } catch (err) {
      this.deps.logger.error(
        { node: name, err: errorMessage(err) },
        'Failed to update node addresses',
      );
      return;
    }
    if (!nodeAddressesChanged(node.status?.addresses ?? [], desired)) {
      return;
    }
    try {
      await this.deps.kube.nodes.patchAddresses(name, desired);
    } catch (err) {
      this.deps.logger.error(
        { node: name, err: errorMessage(err) },
        'Error patching node with cloud ip addresses',
      );
    }
  }

  /** UpdateNodeStatus: addresses of every initialised node, then beta→GA labels. */
  private async updateNodeStatus(): Promise<void> {
    const nodes = this.deps.nodes.list().filter((n) => !isTainted(n));
    let next = 0;
    const worker = async () => {
      while (next < nodes.length) {
        const node = nodes[next++];
        try {
          const metadata = await this.deps.instances.instanceMetadata(node);
          await this.updateNodeAddress(node, metadata);
        } catch (err) {
          this.deps.logger.error(
            { node: node.metadata?.name, err: errorMessage(err) },
            'Error getting instance metadata for node addresses',
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.deps.workers) }, worker));
    for (const node of nodes) {
      await this.reconcileNodeLabels(node).catch((err: unknown) =>
        this.deps.logger.error(
          { node: node.metadata?.name, err: errorMessage(err) },
          'Failed to reconcile labels',
        ),
      );
    }
  }

  private secondsSinceCreation(node: V1Node): number {
    const created = node.metadata?.creationTimestamp;
    const ms = created ? new Date(created).getTime() : this.deps.scheduler.now();
    return Math.max(0, (this.deps.scheduler.now() - ms) / 1000);
  }
}

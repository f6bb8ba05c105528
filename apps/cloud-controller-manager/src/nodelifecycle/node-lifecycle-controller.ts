import type { InstancesV2 } from '@app/cloud-provider';
import {
  EventType,
  Periodic,
  errorMessage,
  sleep,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  apiErrorMessage,
  type InformerAdapter,
  type KubeClient,
  type V1Node,
  type V1Taint,
} from '@app/kube-client';
import { TAINT_SHUTDOWN } from '../node/node-constants';

/** RemoveTaintOffNode / AddOrUpdateTaintOnNode retry: 5 tries, 100 ms apart. */
const TAINT_TRIES = 5;
const TAINT_RETRY_MS = 100;

export interface NodeLifecycleControllerDeps {
  nodes: InformerAdapter<V1Node>;
  instances: InstancesV2;
  kube: KubeClient;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  nodeMonitorPeriodMs: number;
}

const readyStatus = (node: V1Node): string =>
  node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';

const hasShutdownTaint = (node: V1Node) =>
  (node.spec?.taints ?? []).some((t) => t.key === TAINT_SHUTDOWN && t.effect === 'NoSchedule');

/**
 * The cloud node lifecycle controller (controllers/nodelifecycle): every `--node-monitor-period`,
 * Ready nodes only lose the shutdown taint (the cloud is never asked about them); NotReady/Unknown
 * nodes whose instance is gone are deleted (`DeletingNode`), shut-down ones get the shutdown taint.
 * Cloud errors skip the node for this round.
 */
export class CloudNodeLifecycleController {
  private readonly loop: Periodic;

  constructor(private readonly deps: NodeLifecycleControllerDeps) {
    this.loop = new Periodic(
      {
        name: 'cloud-node-lifecycle-controller',
        periodMs: deps.nodeMonitorPeriodMs,
        run: () => this.monitorNodes(),
      },
      deps.scheduler,
      deps.logger,
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async monitorNodes(): Promise<void> {
    for (const node of this.deps.nodes.list()) {
      await this.monitorNode(node);
    }
  }

  private async monitorNode(node: V1Node): Promise<void> {
    const { instances, logger } = this.deps;
    const name = node.metadata?.name ?? '';
    if (readyStatus(node) === 'True') {
      if (hasShutdownTaint(node)) {
        await this.updateTaints(name, (taints) => taints.filter((t) => t.key !== TAINT_SHUTDOWN));
      }
      return;
    }
    let exists: boolean;
    try {
      exists = await instances.instanceExists(node);
    } catch (err) {
      logger.error({ node: name, err: errorMessage(err) }, 'error checking if node exists');
      return;
    }
    if (!exists) {
      await this.deleteNode(node);
      return;
    }
    let shutdown: boolean;
    try {
      shutdown = await instances.instanceShutdown(node);
    } catch (err) {
      logger.error({ node: name, err: errorMessage(err) }, 'error checking if node is shutdown');
      return;
    }
    if (shutdown && !hasShutdownTaint(node)) {
      await this.updateTaints(name, (taints) =>
        taints.some((t) => t.key === TAINT_SHUTDOWN)
          ? taints.map((t) =>
              t.key === TAINT_SHUTDOWN ? { key: TAINT_SHUTDOWN, effect: 'NoSchedule' } : t,
            )
          : [...taints, { key: TAINT_SHUTDOWN, effect: 'NoSchedule' }],
      );
    }
  }

  private async deleteNode(node: V1Node): Promise<void> {
    const name = node.metadata?.name ?? '';
    // Built by hand like upstream (apiVersion added in 48780fd).
    const ref = { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid };
    this.deps.logger.info(
      { node: name },
      'deleting node since it is no longer present in cloud provider',
    );
    this.deps.recorder.event(
      ref,
      EventType.Normal,
      'DeletingNode',
      `Deleting node ${name} because it does not exist in the cloud provider`,
    );
    try {
      await this.deps.kube.nodes.delete(name);
    } catch (err) {
      this.deps.logger.error({ node: name, err: apiErrorMessage(err) }, 'unable to delete node');
      this.deps.recorder.event(
        ref,
        EventType.Warning,
        'DeletingNodeFailed',
        `Failed deleting node ${name}: ${apiErrorMessage(err)}`,
      );
    }
  }

  /** Reads the node, rewrites its taints, writes them guarded by resourceVersion; 5 tries. */
  private async updateTaints(
    name: string,
    change: (taints: V1Taint[]) => V1Taint[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await this.deps.kube.nodes.get(name);
        const taints = change(fresh.spec?.taints ?? []);
        await this.deps.kube.nodes.patch(
          name,
          {
            metadata: { resourceVersion: fresh.metadata?.resourceVersion },
            spec: { taints: taints.length > 0 ? taints : null },
          },
          'merge',
        );
        return;
      } catch (err) {
        if (attempt >= TAINT_TRIES) {
          this.deps.logger.error(
            { node: name, err: apiErrorMessage(err) },
            'failed to update node taints',
          );
          return;
        }
        await sleep(this.deps.scheduler, TAINT_RETRY_MS);
      }
    }
  }
}

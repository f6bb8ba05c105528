import { Controller, type Logger, type Scheduler } from '@app/controller-runtime';
import type { InformerAdapter, KubeRest, NodeObject } from '@app/kube-client';
import { nodePath } from '../util/node-writes';

export const TTL_ANNOTATION = 'node.alpha.kubernetes.io/ttl';

/** upstream ttlBoundaries: overlapping ranges so a cluster at a boundary does not flap. */
export const TTL_BOUNDARIES = [
  { sizeMin: 0, sizeMax: 100, ttlSeconds: 0 },
  { sizeMin: 90, sizeMax: 500, ttlSeconds: 15 },
  { sizeMin: 450, sizeMax: 1000, ttlSeconds: 30 },
  { sizeMin: 900, sizeMax: 2000, ttlSeconds: 60 },
  { sizeMin: 1800, sizeMax: 10000, ttlSeconds: 300 },
  { sizeMin: 9000, sizeMax: Number.MAX_SAFE_INTEGER, ttlSeconds: 600 },
];

/** The boundary step after `nodeCount` changed (upstream addNode / deleteNode). */
export function nextBoundaryStep(step: number, nodeCount: number): number {
  let s = step;
  while (s < TTL_BOUNDARIES.length - 1 && nodeCount > TTL_BOUNDARIES[s].sizeMax) {
    s++;
  }
  while (s > 0 && nodeCount < TTL_BOUNDARIES[s].sizeMin) {
    s--;
  }
  return s;
}

/**
 * upstream pkg/controller/ttl (`ttl-controller`): annotates every node with
 * `node.alpha.kubernetes.io/ttl`, how long kubelets may cache Secrets and ConfigMaps — 0 below
 * 100 nodes, growing with the cluster (5 workers, as upstream).
 */
export class TtlController {
  private nodeCount = 0;
  private step = 0;
  private readonly controller: Controller;

  constructor(
    private readonly deps: {
      rest: KubeRest;
      nodes: InformerAdapter<NodeObject>;
      scheduler: Scheduler;
      logger: Logger;
    },
  ) {
    this.controller = new Controller({
      name: 'ttl-controller',
      queueName: 'ttlcontroller',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: 5,
      reconcile: (name) => this.updateNodeIfNeeded(name),
    });
    deps.nodes.addEventHandler({
      onAdd: () => this.resize(+1),
      onDelete: () => this.resize(-1),
    });
    this.controller.watch(deps.nodes, { delete: false });
  }

  get desiredTtlSeconds(): number {
    return TTL_BOUNDARIES[this.step].ttlSeconds;
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private resize(delta: number): void {
    this.nodeCount += delta;
    const step = nextBoundaryStep(this.step, this.nodeCount);
    if (step !== this.step) {
      this.step = step;
      // Every node's annotation changes with the step.
      for (const node of this.deps.nodes.list()) {
        this.controller.enqueue(node);
      }
    }
  }

  private async updateNodeIfNeeded(name: string): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node) {
      return;
    }
    const want = String(this.desiredTtlSeconds);
    if (node.metadata?.annotations?.[TTL_ANNOTATION] === want) {
      return;
    }
    await this.deps.rest.patch(
      nodePath(name),
      { metadata: { annotations: { [TTL_ANNOTATION]: want } } },
      'strategic',
    );
  }
}

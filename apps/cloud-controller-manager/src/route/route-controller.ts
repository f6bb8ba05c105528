import type { Routes } from '@app/cloud-provider';
import {
  errorMessage,
  noopLogger,
  Periodic,
  waitForCacheSync,
  type Informer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { Counter, type Registry } from 'prom-client';
import type { Cidr } from './cluster-cidrs';
import { NetworkConditionUpdater } from './network-condition';
import { NodeChangeTrigger } from './node-change-trigger';
import {
  DEFAULT_ROUTE_RECONCILIATION_PERIOD_MS,
  ROUTE_CONTROLLER_NAME,
  ROUTE_SYNC_TOTAL_METRIC,
} from './route-names';
import { RouteReconciler } from './route-reconciler';
import type { NodeConditionWriter, NodeLister, RouteEventRecorder, RouteNode } from './route-types';

export interface RouteControllerOptions {
  routes: Routes;
  /** The shared Node informer's cache. */
  nodes: NodeLister;
  conditions: NodeConditionWriter;
  /** A recorder with source component `route_controller`. */
  recorder: RouteEventRecorder;
  /** `--cluster-name`. */
  clusterName: string;
  /** `--cluster-cidr`, parsed by `parseClusterCidrs` (at least one). */
  clusterCidrs: readonly Cidr[];
  /** `--route-reconciliation-period`. */
  reconciliationPeriodMs?: number;
  scheduler: Scheduler;
  logger?: Logger;
  /** Where `route_controller_route_sync_total` is registered. */
  registry?: Registry;
  maxConcurrentOperations?: number;
  /**
   * Feature gate `CloudControllerManagerWatchBasedRoutesReconciliation` (alpha, off upstream):
   * given the Node informer, passes follow node changes instead of the fixed period.
   */
  watchNodes?: Informer<RouteNode>;
}

/**
 * The route controller (`node-route-controller`, k8s.io/cloud-provider controllers/route). Default
 * mode: after the node cache syncs, a full reconcile of cloud routes against Nodes every
 * reconciliation period, measured from the start of each pass (wait.NonSlidingUntil). With
 * `watchNodes`, the same pass runs on node changes instead (NodeChangeTrigger).
 */
export class RouteController {
  private readonly logger: Logger;
  private readonly reconciler: RouteReconciler;
  private readonly syncTotal?: Counter;
  private readonly stopping = new AbortController();
  private periodic?: Periodic;
  private trigger?: NodeChangeTrigger;

  constructor(private readonly options: RouteControllerOptions) {
    if (options.clusterCidrs.length === 0) {
      throw new Error('RouteController: Must specify clusterCIDR.');
    }
    this.logger = options.logger ?? noopLogger;
    this.reconciler = new RouteReconciler({
      routes: options.routes,
      clusterName: options.clusterName,
      clusterCidrs: options.clusterCidrs,
      recorder: options.recorder,
      conditions: new NetworkConditionUpdater(options.conditions, options.scheduler, this.logger),
      scheduler: options.scheduler,
      logger: this.logger,
      maxConcurrentOperations: options.maxConcurrentOperations,
    });
    this.syncTotal = options.registry ? syncTotalCounter(options.registry) : undefined;
  }

  /** Waits for the node cache (until `stop`), then starts the loop. Resolves once it runs. */
  async start(): Promise<void> {
    this.logger.info({ controller: ROUTE_CONTROLLER_NAME }, 'Starting route controller');
    const synced = await waitForCacheSync(
      'route',
      [this.options.nodes],
      this.options.scheduler,
      this.logger,
      this.stopping.signal,
    );
    if (!synced) {
      return;
    }
    if (this.options.watchNodes) {
      this.trigger = new NodeChangeTrigger(
        this.options.watchNodes,
        () => this.reconcileNodeRoutes(),
        this.options.scheduler,
        this.logger,
      );
      this.trigger.start();
      return;
    }
    this.periodic = new Periodic(
      {
        name: 'reconcile-node-routes',
        periodMs: this.options.reconciliationPeriodMs ?? DEFAULT_ROUTE_RECONCILIATION_PERIOD_MS,
        sliding: false,
        run: () =>
          this.reconcileNodeRoutes().catch((error: unknown) =>
            this.logger.error({ err: errorMessage(error) }, "Couldn't reconcile node routes"),
          ),
      },
      this.options.scheduler,
      this.logger,
    );
    this.periodic.start();
  }

  /** Stops the loop; a pass in progress finishes first. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.periodic?.stop();
    await this.trigger?.stop();
    this.logger.info({ controller: ROUTE_CONTROLLER_NAME }, 'Shutting down route controller');
  }

  /** One pass: list the cluster's cloud routes and the cached Nodes, then reconcile. */
  async reconcileNodeRoutes(): Promise<void> {
    this.syncTotal?.inc();
    let routes;
    try {
      routes = await this.options.routes.listRoutes(this.options.clusterName);
    } catch (error) {
      throw new Error(`error listing routes: ${errorMessage(error)}`, { cause: error });
    }
    await this.reconciler.reconcile(this.options.nodes.list(), routes);
  }
}

function syncTotalCounter(registry: Registry): Counter {
  const existing = registry.getSingleMetric(ROUTE_SYNC_TOTAL_METRIC);
  if (existing instanceof Counter) {
    return existing;
  }
  return new Counter({
    name: ROUTE_SYNC_TOTAL_METRIC,
    help: 'A metric counting the amount of times routes have been synced with the cloud provider.',
    registers: [registry],
  });
}

import type { Route, Routes } from '@app/cloud-provider';
import { errorMessage, type Logger, type Scheduler } from '@app/controller-runtime';
import { BoundedConcurrency } from './bounded-concurrency';
import { isResponsibleForRoute, type Cidr } from './cluster-cidrs';
import { formatGoDuration } from '@app/common';
import type { NetworkConditionUpdater } from './network-condition';
import {
  allRoutesCreated,
  planRoutes,
  podCidrsOf,
  shouldDeleteRoute,
  type RoutePlan,
} from './route-plan';
import { FAILED_TO_CREATE_ROUTE, MAX_CONCURRENT_ROUTE_OPERATIONS } from './route-names';
import type { RouteEventRecorder, RouteNode } from './route-types';

export interface RouteReconcilerDeps {
  routes: Routes;
  clusterName: string;
  clusterCidrs: readonly Cidr[];
  recorder: RouteEventRecorder;
  conditions: NetworkConditionUpdater;
  scheduler: Scheduler;
  logger: Logger;
  maxConcurrentOperations?: number;
}

/**
 * One pass of upstream `reconcile(nodes, routes)`: delete stale and blackhole routes inside the
 * cluster CIDRs, create missing ones (nameHint = node UID), then set `NetworkUnavailable` on every
 * node the plan knows. Cloud errors never abort the pass: deletes are logged, failed creates
 * become `FailedToCreateRoute` events and `NoRouteCreated`; the next period retries.
 */
export class RouteReconciler {
  constructor(private readonly deps: RouteReconcilerDeps) {}

  async reconcile(nodes: readonly RouteNode[], routes: readonly Route[]): Promise<void> {
    const plan = planRoutes(nodes, routes);
    const limiter = new BoundedConcurrency(
      this.deps.maxConcurrentOperations ?? MAX_CONCURRENT_ROUTE_OPERATIONS,
    );
    const deletes = routes
      .filter((route) => isResponsibleForRoute(this.deps.clusterCidrs, route.destinationCIDR))
      .filter((route) => route.blackhole === true || shouldDeleteRoute(plan, route))
      .map((route) => this.deleteRoute(route, limiter));
    // kubernetes/kubernetes#98359: with address-tracking routes an `update` deletes and re-creates
    // the same route, so deletes must finish first.
    if (routes.length > 0 && routes[0].enableNodeAddresses) {
      await Promise.all(deletes);
    }
    const creates = nodes.flatMap((node) => this.createMissingRoutes(node, plan, limiter));
    await Promise.all([...deletes, ...creates]);
    await Promise.all(
      nodes.map(async (node) => {
        const actions = plan.get(node.metadata?.name ?? '')?.actions;
        if (!actions) {
          return;
        }
        if (actions.size === 0) {
          this.deps.logger.info(
            { node: node.metadata?.name },
            'Node has no routes assigned to it. NodeNetworkUnavailable will be set to true',
          );
        }
        await this.deps.conditions.update(node, actions.size > 0 && allRoutesCreated(actions));
      }),
    );
  }

  private async deleteRoute(route: Route, limiter: BoundedConcurrency): Promise<void> {
    const { routes, clusterName, logger, scheduler } = this.deps;
    const started = scheduler.now();
    await limiter.run(async () => {
      logger.info({ route: route.name, cidr: route.destinationCIDR }, 'Deleting route');
      try {
        await routes.deleteRoute(clusterName, route);
        logger.info(
          { route: route.name, cidr: route.destinationCIDR, after: this.since(started) },
          'Deleted route',
        );
      } catch (error) {
        logger.error(
          { route: route.name, cidr: route.destinationCIDR, after: this.since(started) },
          `Could not delete route ${route.name ?? ''} ${route.destinationCIDR} after ${this.since(started)}: ${errorMessage(error)}`,
        );
      }
    });
  }

  private createMissingRoutes(
    node: RouteNode,
    plan: RoutePlan,
    limiter: BoundedConcurrency,
  ): Promise<void>[] {
    const name = node.metadata?.name;
    const actions = plan.get(name ?? '')?.actions;
    if (!name || !actions) {
      return [];
    }
    return podCidrsOf(node)
      .filter((cidr) => actions.get(cidr) === 'add' || actions.get(cidr) === 'update')
      .map((cidr) => this.createRoute(node, name, cidr, actions, limiter));
  }

  /** One attempt per cycle, as upstream's RetryOnConflict never sees a conflict from the cloud. */
  private async createRoute(
    node: RouteNode,
    nodeName: string,
    cidr: string,
    actions: Map<string, string>,
    limiter: BoundedConcurrency,
  ): Promise<void> {
    const { routes, clusterName, logger, recorder, scheduler } = this.deps;
    const nameHint = node.metadata?.uid ?? '';
    const route: Route = {
      targetNode: nodeName,
      targetNodeAddresses: node.status?.addresses ?? [],
      destinationCIDR: cidr,
    };
    const started = scheduler.now();
    await limiter.run(async () => {
      logger.info(
        { node: nodeName, cidr, nameHint, throttled: this.since(started) },
        'Creating route for node',
      );
      try {
        await routes.createRoute(clusterName, nameHint, route);
      } catch (error) {
        const message = `Could not create route ${nameHint} ${cidr} for node ${nodeName} after ${this.since(started)}: ${errorMessage(error)}`;
        // Upstream builds the reference by hand, with the node *name* as UID.
        recorder.event(
          { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeName },
          'Warning',
          FAILED_TO_CREATE_ROUTE,
          message,
        );
        logger.error({ node: nodeName, cidr, nameHint }, message);
        return;
      }
      actions.set(cidr, 'keep');
      logger.info(
        { node: nodeName, cidr, nameHint, after: this.since(started) },
        'Created route for node',
      );
    });
  }

  private since(startedMs: number): string {
    return formatGoDuration(Math.round((this.deps.scheduler.now() - startedMs) * 1e6));
  }
}

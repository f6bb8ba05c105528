import type { ControllerDescriptor } from '../controller-context';
import { parseClusterCidrs } from './cluster-cidrs';
import { RouteController } from './route-controller';
import {
  ROUTE_CONTROLLER_ALIAS,
  ROUTE_CONTROLLER_NAME,
  ROUTE_EVENT_COMPONENT,
} from './route-names';

/** Why the route controller does not run with these settings and this cloud, if it does not. */
function skipReason(configureCloudRoutes: boolean, clusterCidr: string, hasRoutes: boolean) {
  if (!configureCloudRoutes) {
    return 'Will not configure cloud provider routes, --configure-cloud-routes: false';
  }
  if (!hasRoutes) {
    return '--configure-cloud-routes is set, but cloud provider does not support routes. Will not configure cloud provider routes.';
  }
  if (clusterCidr.trim() === '') {
    // Upstream exits here (klog.Fatal); Nimbus skips so `nimbus ccm` runs without the flag.
    return '--configure-cloud-routes is set, but --cluster-cidr is empty. Will not configure cloud provider routes.';
  }
  return undefined;
}

/**
 * `startRouteController` (app/core.go): skipped without `--configure-cloud-routes`, without
 * cloud Routes or without `--cluster-cidr`; an invalid `--cluster-cidr` refuses the start.
 */
export const routeControllerDescriptor: ControllerDescriptor = {
  name: ROUTE_CONTROLLER_ALIAS,
  fullName: ROUTE_CONTROLLER_NAME,
  validate(settings) {
    if (settings.configureCloudRoutes && settings.clusterCidr.trim() !== '') {
      parseClusterCidrs(settings.clusterCidr);
    }
  },
  init(ctx) {
    const { settings } = ctx;
    const routes = ctx.cloud.routes();
    const skipped = skipReason(settings.configureCloudRoutes, settings.clusterCidr, !!routes);
    if (skipped !== undefined || !routes) {
      return { skipped: skipped ?? 'no routes' };
    }
    const nodes = ctx.informers.nodes();
    const controller = new RouteController({
      routes,
      nodes,
      conditions: {
        // component-helpers SetNodeCondition: a strategic-merge patch of nodes/status.
        setNodeCondition: async (name, condition) => {
          await ctx.kube.nodes.patchStatus(name, { status: { conditions: [condition] } });
        },
      },
      recorder: ctx.eventRecorder(ROUTE_EVENT_COMPONENT),
      clusterName: settings.clusterName,
      clusterCidrs: parseClusterCidrs(settings.clusterCidr),
      reconciliationPeriodMs: settings.routeReconciliationPeriodMs,
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
      watchNodes: settings.featureGates.CloudControllerManagerWatchBasedRoutesReconciliation
        ? nodes
        : undefined,
    });
    return {
      start: () => {
        // Waits for the node cache in the background, as upstream's `go routeController.Run`.
        void controller.start();
        return Promise.resolve({ stop: () => controller.stop() });
      },
    };
  },
};

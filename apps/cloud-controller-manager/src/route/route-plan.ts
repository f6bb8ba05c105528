import type { NodeAddress, Route } from '@app/cloud-provider';
import { sameCidr } from './cluster-cidrs';
import type { RouteNode } from './route-types';

/** What to do about one (node, pod CIDR) pair; `update` = delete, then create again. */
export type RouteAction = 'keep' | 'add' | 'remove' | 'update';

/** upstream's routeNode: a target node's existing routes and the action per pod CIDR. */
export interface NodeRoutePlan {
  name: string;
  routes: Route[];
  /** pod CIDR → action. Empty for a node that has routes but no pod CIDRs (or no Node at all). */
  actions: Map<string, RouteAction>;
}

export type RoutePlan = Map<string, NodeRoutePlan>;

/** Pod CIDRs of a node; nodes without any are skipped ("hasn't been assigned a CIDR yet"). */
export function podCidrsOf(node: RouteNode): string[] {
  return node.spec?.podCIDRs ?? [];
}

function entry(plan: RoutePlan, name: string): NodeRoutePlan {
  let found = plan.get(name);
  if (!found) {
    found = { name, routes: [], actions: new Map() };
    plan.set(name, found);
  }
  return found;
}

/**
 * Steps 1–2 of upstream `reconcile`: group routes by target node (routes without one are left
 * out), then decide keep/add/update for every pod CIDR of every node.
 */
export function planRoutes(nodes: readonly RouteNode[], routes: readonly Route[]): RoutePlan {
  const plan: RoutePlan = new Map();
  for (const route of routes) {
    if (route.targetNode) {
      entry(plan, route.targetNode).routes.push(route);
    }
  }
  for (const node of nodes) {
    const cidrs = podCidrsOf(node);
    const name = node.metadata?.name;
    if (cidrs.length === 0 || !name) {
      continue;
    }
    const nodePlan = entry(plan, name);
    for (const cidr of cidrs) {
      nodePlan.actions.set(cidr, routeAction(nodePlan.routes, cidr, node.status?.addresses ?? []));
    }
  }
  return plan;
}

/** `getRouteAction`: keep a route for the CIDR unless it tracks node addresses that changed. */
export function routeAction(
  routes: readonly Route[],
  cidr: string,
  nodeAddresses: readonly NodeAddress[],
): RouteAction {
  const route = routes.find((r) => sameCidr(r.destinationCIDR, cidr));
  if (!route) {
    return 'add';
  }
  if (!route.enableNodeAddresses || equalNodeAddresses(nodeAddresses, route.targetNodeAddresses)) {
    return 'keep';
  }
  return 'update';
}

/** `equalNodeAddrs`: same length and every address of the first found in the second. */
export function equalNodeAddresses(
  a: readonly NodeAddress[],
  b: readonly NodeAddress[] = [],
): boolean {
  return (
    a.length === b.length &&
    a.every((x) => b.some((y) => x.type === y.type && x.address === y.address))
  );
}

/**
 * `shouldDeleteRoute`: the route's (node, CIDR) pair has no action, or `remove`/`update`. A route
 * whose target node is gone (or empty) has none.
 */
export function shouldDeleteRoute(plan: RoutePlan, route: Route): boolean {
  const actions = plan.get(route.targetNode)?.actions;
  if (!actions) {
    return true;
  }
  const match = [...actions.keys()].find((cidr) => sameCidr(cidr, route.destinationCIDR));
  const action = match === undefined ? undefined : actions.get(match);
  return action === undefined || action === 'remove' || action === 'update';
}

/** Step 5's rule: a node is networked when none of its CIDRs is still `add`/`update`. */
export function allRoutesCreated(actions: ReadonlyMap<string, RouteAction>): boolean {
  return ![...actions.values()].some((a) => a === 'add' || a === 'update');
}

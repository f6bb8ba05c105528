import { createHash } from 'node:crypto';
import type { RouteDto } from '@app/cloud-contracts';
import { AlreadyExistsError, NotFoundError, type NimbusCloudClient } from '@app/cloud-client';
import type { Routes } from '../api/cloud-provider';
import { CloudProviderError, InstanceNotFoundError } from '../api/errors';
import type { Route } from '../api/types';
import type { InstanceFinder } from './instance-finder';
import { canonicalCidr } from './net';

/** Marks a route as a Kubernetes pod route (as GCE's `k8s-node-route`). */
export const ROUTE_DESCRIPTION_PREFIX = 'k8s-node-route';
const MAX_NAME = 63;

/** `k8s-node-route cluster=<cluster name> node=<node name>`: ownership and target node. */
export function routeDescription(clusterName: string, nodeName: string): string {
  return `${ROUTE_DESCRIPTION_PREFIX} cluster=${clusterName} node=${nodeName}`;
}

export function parseRouteDescription(
  description: string | undefined,
): { clusterName: string; nodeName: string } | undefined {
  const match = /^k8s-node-route cluster=(\S+) node=(\S+)$/.exec(description ?? '');
  return match ? { clusterName: match[1], nodeName: match[2] } : undefined;
}

const dnsLabelPart = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * `<cluster>-<nameHint>` (nameHint = the node UID), with `-v6` for an IPv6 destination so a
 * dual-stack node's two routes differ; the cluster part is shortened to keep a DNS-1123 label.
 */
export function routeName(clusterName: string, nameHint: string, destinationCIDR: string): string {
  let hint = dnsLabelPart(nameHint);
  if (hint.length === 0 || hint.length > 40) {
    hint = createHash('sha256').update(nameHint).digest('hex').slice(0, 32);
  }
  const suffix = destinationCIDR.includes(':') ? '-v6' : '';
  const room = MAX_NAME - hint.length - suffix.length - 1;
  const cluster = dnsLabelPart(clusterName).slice(0, room).replace(/-+$/, '') || 'k8s';
  return `${cluster}-${hint}${suffix}`;
}

/**
 * Pod routes in one network (the project's default network unless configured). A route belongs
 * to the cluster whose name its description carries; only those are listed and deleted.
 */
export class NimbusRoutes implements Routes {
  private network?: Promise<string>;

  constructor(
    private readonly client: NimbusCloudClient,
    private readonly finder: InstanceFinder,
    private readonly networkName?: string,
  ) {}

  async listRoutes(clusterName: string): Promise<Route[]> {
    const networkId = await this.networkId();
    const routes: Route[] = [];
    for await (const route of this.client.routes.listAll(networkId)) {
      const owner = parseRouteDescription(route.description);
      if (owner?.clusterName === clusterName) {
        routes.push({
          name: route.name,
          targetNode: owner.nodeName,
          destinationCIDR: route.destinationCidr,
          blackhole: route.state === 'blackhole',
        });
      }
    }
    return routes;
  }

  async createRoute(clusterName: string, nameHint: string, route: Route): Promise<void> {
    const destination = canonicalCidr(route.destinationCIDR);
    if (destination === undefined) {
      throw new CloudProviderError(`route destination "${route.destinationCIDR}" is not a CIDR`);
    }
    const instance = await this.finder.byNameOrAddresses(
      route.targetNode,
      route.targetNodeAddresses ?? [],
    );
    if (!instance) {
      throw new InstanceNotFoundError(
        `instance not found: no live instance for node ${route.targetNode}`,
      );
    }
    const networkId = await this.networkId();
    const name = routeName(clusterName, nameHint, destination);
    try {
      await this.client.routes.create(networkId, {
        name,
        destinationCidr: destination,
        nextHop: { instanceId: instance.id },
        description: routeDescription(clusterName, route.targetNode),
      });
    } catch (error) {
      // Already there (e.g. created by an earlier attempt whose answer was lost): fine if it is
      // the same route; a different one keeps the error.
      if (!(error instanceof AlreadyExistsError)) {
        throw error;
      }
      const existing = await this.client.routes.findByName(networkId, name);
      if (
        existing?.destinationCidr !== destination ||
        existing.nextHop.instanceId !== instance.id
      ) {
        throw error;
      }
    }
  }

  async deleteRoute(clusterName: string, route: Route): Promise<void> {
    const networkId = await this.networkId();
    const existing = await this.find(networkId, clusterName, route);
    if (!existing) {
      return;
    }
    try {
      await this.client.routes.delete(networkId, existing.id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        throw error;
      }
    }
  }

  /** The owned cloud route for `route`: by name when known, else by destination and node. */
  private async find(
    networkId: string,
    clusterName: string,
    route: Route,
  ): Promise<RouteDto | undefined> {
    const candidates: RouteDto[] = [];
    if (route.name) {
      const byName = await this.client.routes.findByName(networkId, route.name);
      candidates.push(...(byName ? [byName] : []));
    } else {
      const destination = canonicalCidr(route.destinationCIDR) ?? route.destinationCIDR;
      for await (const r of this.client.routes.listAll(networkId, {
        destinationCidr: destination,
      })) {
        candidates.push(r);
      }
    }
    return candidates.find((r) => {
      const owner = parseRouteDescription(r.description);
      return owner?.clusterName === clusterName && owner.nodeName === route.targetNode;
    });
  }

  private networkId(): Promise<string> {
    this.network ??= (async () => {
      const network =
        this.networkName === undefined
          ? await this.client.networks.getDefault()
          : await this.client.networks.findByName(this.networkName);
      if (!network) {
        throw new CloudProviderError(`network ${this.networkName} not found`);
      }
      return network.id;
    })().catch((error: unknown) => {
      this.network = undefined;
      throw error;
    });
    return this.network;
  }
}

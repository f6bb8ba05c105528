import { hostAddressOf, hostPortOf, hostRangesOf } from '@app/common';
import type {
  BackendSpec,
  ClientGroupSpec,
  IpvsSchedulerName,
  VirtualServerSpec,
} from '@app/dataplane';
import type { EndpointSliceObject, ServiceObject } from '@app/kube-client';
import {
  endpointsOf,
  localReadyEndpoints,
  usableEndpoints,
  type ServiceEndpoint,
} from './endpoints';

/** Kubernetes' default ClientIP affinity timeout (3 h). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

/** A simulated node this process proxies for. */
export interface ProxiedNode {
  name: string;
  /** Its InternalIP's host address (hostAddressOf), where its NodePorts listen. */
  address: string;
  /** Its `spec.podCIDRs` (cloud CIDRs): its pods dial from their host addresses in these. */
  podCIDRs: readonly string[];
}

/** One healthCheckNodePort server's answer source (externalTrafficPolicy Local). */
export interface HealthCheckRule {
  port: number;
  namespace: string;
  name: string;
  localEndpoints: number;
}

export interface ProxyRules {
  /** Virtual servers by id: one per node and NodePort, one per ClusterIP port. */
  servers: Map<string, VirtualServerSpec>;
  /** healthCheckNodePort servers per node name. */
  healthChecks: Map<string, HealthCheckRule[]>;
  /**
   * NodePorts of `externalTrafficPolicy: Local` Services with no usable endpoint on their node
   * (kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="external"}).
   */
  noLocalEndpoints: number;
  /**
   * Nodes × Service ports of `internalTrafficPolicy: Local` Services with no usable endpoint on
   * the node (the same metric, `traffic_policy="internal"`).
   */
  noLocalInternalEndpoints: number;
  /** Services and endpoints in the rules (for logs). */
  services: number;
}

export interface ProxyRulesInput {
  services: readonly ServiceObject[];
  /** EndpointSlices by `namespace/service-name`. */
  slices: ReadonlyMap<string, readonly EndpointSliceObject[]>;
  nodes: readonly ProxiedNode[];
  scheduler: IpvsSchedulerName;
}

const backendOf = (e: ServiceEndpoint): BackendSpec | undefined => {
  const address = hostAddressOf(e.ip);
  return address
    ? { id: `${e.ip}:${e.port}`, address, port: hostPortOf(e.port), ready: true }
    : undefined;
};

const backendsOf = (endpoints: readonly ServiceEndpoint[]): BackendSpec[] =>
  endpoints.map(backendOf).filter((b): b is BackendSpec => b !== undefined);

/**
 * Where a node's traffic comes from on loopback: its own host address (host-network clients, the
 * node itself) and the host blocks of its pod CIDRs (a pod dials from hostAddressOf(podIP)) —
 * upstream's `--detect-local-mode=NodeCIDR`.
 */
export function nodeSources(node: ProxiedNode): string[] {
  return [`${node.address}/32`, ...node.podCIDRs.flatMap((cidr) => hostRangesOf(cidr))];
}

/**
 * The ClusterIP of an `internalTrafficPolicy: Local` Service port: a client from a node (by its
 * source address, nodeSources) may use only that node's usable endpoints — none → refused, as
 * upstream drops it; a client from no node (the host, another program) uses every usable
 * endpoint, as with `Cluster`, since there is no node to be local to.
 */
function internalLocal(
  endpoints: readonly ServiceEndpoint[],
  nodes: readonly ProxiedNode[],
): { backends: BackendSpec[]; clientGroups: ClientGroupSpec[]; nodesWithout: number } {
  const byId = new Map<string, BackendSpec>();
  const idsOf = (list: readonly ServiceEndpoint[]) =>
    backendsOf(list).map((b) => {
      byId.set(b.id, b);
      return b.id;
    });
  let nodesWithout = 0;
  const clientGroups: ClientGroupSpec[] = nodes.map((node) => {
    const local = usableEndpoints(endpoints, { nodeName: node.name });
    if (local.length === 0) {
      nodesWithout++;
    }
    return { name: node.name, sources: nodeSources(node), backends: idsOf(local) };
  });
  clientGroups.push({
    name: 'not a cluster address',
    sources: ['0.0.0.0/0', '::/0'],
    backends: idsOf(usableEndpoints(endpoints)),
  });
  return { backends: [...byId.values()], clientGroups, nodesWithout };
}

/**
 * What kube-proxy programs for the Services and EndpointSlices it sees, as virtual servers of
 * the user-space data plane (the iptables proxier's syncProxyRules, minus the packets):
 *
 * - every NodePort (types NodePort and LoadBalancer) on every node's address, forwarding to the
 *   usable endpoints — only the node's own with `externalTrafficPolicy: Local`, none there → the
 *   connection is refused, as upstream drops it;
 * - every ClusterIP port once, on the cluster IP's host address (one loopback address per IP, so
 *   one listener for all nodes); with `internalTrafficPolicy: Local` the client's source address
 *   tells its node and it gets only that node's endpoints (internalLocal);
 * - `sessionAffinity: ClientIP` with its timeout; the `--ipvs-scheduler` for the choice;
 * - the healthCheckNodePort answers of `externalTrafficPolicy: Local` LoadBalancers per node.
 */
export function proxyRules(input: ProxyRulesInput): ProxyRules {
  const servers = new Map<string, VirtualServerSpec>();
  const healthChecks = new Map<string, HealthCheckRule[]>(input.nodes.map((n) => [n.name, []]));
  let noLocalEndpoints = 0;
  let noLocalInternalEndpoints = 0;
  let services = 0;
  for (const svc of input.services) {
    const spec = svc.spec;
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    if (!spec || spec.type === 'ExternalName') {
      continue;
    }
    services++;
    const slices = input.slices.get(`${namespace}/${name}`) ?? [];
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? {
            timeoutMs:
              (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ??
                DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000,
          }
        : undefined;
    const externalLocal = spec.externalTrafficPolicy === 'Local';
    const internalTrafficLocal = spec.internalTrafficPolicy === 'Local';
    const exposesNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const clusterAddress =
      spec.clusterIP && spec.clusterIP !== 'None' ? hostAddressOf(spec.clusterIP) : undefined;
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') {
        continue; // SCTP: no user-space proxy
      }
      const endpoints = endpointsOf(slices, port);
      const portKey = `${namespace}/${name}:${port.name || port.port}/${protocol}`;
      const base = { scheduler: input.scheduler, ...(affinity ? { affinity } : {}) };
      if (clusterAddress) {
        const local = internalTrafficLocal ? internalLocal(endpoints, input.nodes) : undefined;
        noLocalInternalEndpoints += local?.nodesWithout ?? 0;
        servers.set(`clusterip|${portKey}`, {
          ...base,
          listeners: [
            {
              name: 'clusterip',
              protocol,
              bind: { address: clusterAddress, port: hostPortOf(port.port) },
              targetPort: hostPortOf(port.port),
            },
          ],
          ...(local
            ? { backends: local.backends, clientGroups: local.clientGroups }
            : { backends: backendsOf(usableEndpoints(endpoints)) }),
        });
      }
      if (!exposesNodePorts || !port.nodePort) {
        continue;
      }
      for (const node of input.nodes) {
        const chosen = usableEndpoints(
          endpoints,
          externalLocal ? { nodeName: node.name } : undefined,
        );
        if (externalLocal && chosen.length === 0) {
          noLocalEndpoints++;
        }
        servers.set(`nodeport|${node.name}|${portKey}`, {
          ...base,
          listeners: [
            {
              name: 'nodeport',
              protocol,
              bind: { address: node.address, port: port.nodePort },
              targetPort: port.nodePort,
            },
          ],
          backends: backendsOf(chosen),
        });
      }
    }
    if (spec.type === 'LoadBalancer' && externalLocal && spec.healthCheckNodePort) {
      for (const node of input.nodes) {
        healthChecks.get(node.name)!.push({
          port: spec.healthCheckNodePort,
          namespace,
          name,
          localEndpoints: localReadyEndpoints(
            (spec.ports ?? []).flatMap((p) => endpointsOf(slices, p)),
            node.name,
          ),
        });
      }
    }
  }
  return { servers, healthChecks, noLocalEndpoints, noLocalInternalEndpoints, services };
}

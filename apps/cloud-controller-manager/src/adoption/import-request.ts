import { isIPv4 } from 'node:net';
import {
  isNimbusProviderID,
  labelValue,
  type NodeImportRequest,
  type ProviderNode,
} from '@app/cloud-provider';
import type { V1Node } from '@app/kube-client';
import { ANNOTATION_PROVIDED_NODE_IP, TAINT_UNINITIALIZED } from '../node/node-constants';

/** Node label or annotation naming the cloud zone of an adopted node (kind `nodes[].labels`). */
export const NIMBUS_ZONE_KEY = 'nimbus.dev/zone';
/** Node label or annotation naming the instance type of an adopted node. */
export const NIMBUS_INSTANCE_TYPE_KEY = 'nimbus.dev/instance-type';
/** Instance labels of adopted nodes: the cluster (the shared convention) and the node's provider. */
export const LABEL_CLUSTER = 'nimbus.dev/cluster';
export const LABEL_NODE_PROVIDER = 'nimbus.dev/node-provider';

export interface AdoptionDefaults {
  clusterName: string;
  /** `--adopt-zone`; "" lets the cloud choose. */
  zone: string;
  /** `--adopt-instance-type`; "" lets the cloud choose. */
  instanceType: string;
  /** `--delete-adopted-nodes`: initialised NotReady nodes are left to the lifecycle controller. */
  deleteAdoptedNodes: boolean;
}

/** `kind` for `kind://docker/kind/kind-worker`, undefined for none or a Nimbus providerID. */
export function foreignProvider(node: ProviderNode): string | undefined {
  const providerID = node.spec?.providerID ?? '';
  if (providerID === '' || isNimbusProviderID(providerID)) {
    return undefined;
  }
  return /^([^:/]+):\/\//.exec(providerID)?.[1] ?? 'unknown';
}

const tainted = (node: ProviderNode): boolean =>
  ((node as V1Node).spec?.taints ?? []).some((t) => t.key === TAINT_UNINITIALIZED);

/** Ready is False or Unknown (no Ready condition counts as not NotReady: nothing said so). */
export function isNotReady(node: ProviderNode): boolean {
  const ready = ((node as V1Node).status?.conditions ?? []).find((c) => c.type === 'Ready');
  return ready !== undefined && ready.status !== 'True';
}

/**
 * What `--adopt-nodes` imports for a node without a Nimbus providerID, or undefined when it is
 * not adopted now: with `--delete-adopted-nodes`, an initialised node that is NotReady is the
 * lifecycle controller's business (adopting it again would undo a termination the user asked
 * for). Without it such a node is never deleted, so it is imported like any other — else a node
 * that was NotReady when the cloud lost (or never had) its instance would stay out of load
 * balancers once Ready: readiness is no reason for the service controller to sync (KEP-3458).
 * Throws when the node should be adopted but has no IPv4 address to give the instance.
 *
 * - name: the node name; privateIp: the kubelet's `--node-ip` (annotation
 *   `alpha.kubernetes.io/provided-node-ip`, its IPv4 entry), else the first IPv4 InternalIP — the
 *   address the node controller's provided-IP check then finds among the cloud's addresses;
 * - zone / instance type: label or annotation `nimbus.dev/zone` / `nimbus.dev/instance-type`,
 *   else `--adopt-zone` / `--adopt-instance-type`, else the cloud's default;
 * - labels: `nimbus.dev/cluster=<--cluster-name>`, `nimbus.dev/node-provider=<kind|k3s|…|none>`.
 */
export function importRequestFor(
  node: ProviderNode,
  defaults: AdoptionDefaults,
): NodeImportRequest | undefined {
  if (
    isNimbusProviderID(node.spec?.providerID ?? '') ||
    (defaults.deleteAdoptedNodes && !tainted(node) && isNotReady(node))
  ) {
    return undefined;
  }
  const pick = (key: string, fallback: string): string | undefined =>
    node.metadata?.labels?.[key] ?? node.metadata?.annotations?.[key] ?? (fallback || undefined);
  const request: NodeImportRequest = {
    name: node.metadata?.name ?? '',
    privateIp: privateIpOf(node),
    labels: {
      [LABEL_CLUSTER]: labelValue(defaults.clusterName),
      [LABEL_NODE_PROVIDER]: foreignProvider(node) ?? 'none',
    },
  };
  const zone = pick(NIMBUS_ZONE_KEY, defaults.zone);
  const instanceType = pick(NIMBUS_INSTANCE_TYPE_KEY, defaults.instanceType);
  return {
    ...request,
    ...(zone ? { zone } : {}),
    ...(instanceType ? { instanceType } : {}),
  };
}

function privateIpOf(node: ProviderNode): string {
  const provided = node.metadata?.annotations?.[ANNOTATION_PROVIDED_NODE_IP];
  if (provided !== undefined) {
    const ipv4 = provided
      .split(',')
      .map((ip) => ip.trim())
      .find((ip) => isIPv4(ip));
    if (!ipv4) {
      throw new Error(
        `its ${ANNOTATION_PROVIDED_NODE_IP} "${provided}" has no IPv4 address (Nimbus instances have IPv4 private addresses)`,
      );
    }
    return ipv4;
  }
  const internal = (node.status?.addresses ?? []).find(
    (a) => a.type === 'InternalIP' && isIPv4(a.address),
  );
  if (!internal) {
    throw new Error(
      `it has no IPv4 address: no ${ANNOTATION_PROVIDED_NODE_IP} annotation (kubelet --node-ip) and no InternalIP in status.addresses`,
    );
  }
  return internal.address;
}

import type { NodeAddress } from '@app/cloud-provider';
import type { V1Node } from '@app/kube-client';
import { ANNOTATION_PROVIDED_NODE_IP } from './node-constants';

/** Compares IPs textually after normalising IPv6 case (the cloud and kubelet write canonical forms). */
const sameIp = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * node/helpers/address.go GetNodeAddressesFromNodeIP: every provided IP must be among the cloud
 * addresses; each becomes the only address of its type, first, followed by the cloud's addresses
 * of other types.
 */
export function addressesFromNodeIP(providedNodeIP: string, cloud: NodeAddress[]): NodeAddress[] {
  const nodeIPs = providedNodeIP
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const enforced: NodeAddress[] = [];
  const enforcedTypes = new Set<string>();
  for (const ip of nodeIPs) {
    const matches = cloud.filter((a) => sameIp(a.address, ip));
    if (matches.length === 0) {
      throw new Error(`failed to get node address from cloud provider that matches ip: ${ip}`);
    }
    for (const m of matches) {
      enforced.push({ type: m.type, address: m.address });
      enforcedTypes.add(m.type);
    }
  }
  return [...enforced, ...cloud.filter((a) => !enforcedTypes.has(a.type))];
}

/** The provided-node-ip annotation of a node, if any. */
export const providedNodeIP = (node: V1Node): string | undefined =>
  node.metadata?.annotations?.[ANNOTATION_PROVIDED_NODE_IP];

/**
 * The addresses `updateNodeAddress` would write: the cloud's, plus the kubelet's Hostname when the
 * cloud gave none, reordered by provided-node-ip. Throws when the provided IP is not in the cloud.
 */
export function desiredNodeAddresses(node: V1Node, cloud: NodeAddress[]): NodeAddress[] {
  let addresses = cloud.map((a) => ({ type: a.type, address: a.address }));
  if (!addresses.some((a) => a.type === 'Hostname')) {
    addresses.push(
      ...(node.status?.addresses ?? [])
        .filter((a) => a.type === 'Hostname')
        .map((a) => ({ type: a.type, address: a.address })),
    );
  }
  const nodeIP = providedNodeIP(node);
  if (nodeIP) {
    addresses = addressesFromNodeIP(nodeIP, addresses);
  }
  return addresses;
}

/** nodeAddressesChangeDetected: length differs, or a type → address mismatch. Order is no change. */
export function nodeAddressesChanged(current: NodeAddress[], desired: NodeAddress[]): boolean {
  if (current.length !== desired.length) {
    return true;
  }
  const byType = new Map(current.map((a) => [a.type, a.address]));
  return desired.some((a) => byType.get(a.type) !== a.address);
}

import type { InstanceMetadata } from '@app/cloud-provider';
import type { Logger } from '@app/controller-runtime';
import type { V1Node } from '@app/kube-client';
import { addressesFromNodeIP, providedNodeIP } from './node-addresses';
import {
  KUBERNETES_LABEL_NAMESPACE,
  LABEL_INSTANCE_TYPE,
  LABEL_INSTANCE_TYPE_BETA,
  LABEL_REGION,
  LABEL_REGION_BETA,
  LABEL_ZONE,
  LABEL_ZONE_BETA,
  TAINT_UNINITIALIZED,
} from './node-constants';

/** One idempotent change to a node copy (upstream's nodeModifier). */
export type NodeModifier = (node: V1Node) => void;

/**
 * getNodeModifiersFromCloudProvider + the taint removal (ccm-behaviour §4 step 4): providerID only
 * if empty, provided-node-ip validated (throws → the taint stays), GA + beta labels, additional
 * labels without kubernetes namespaces or overwrites, uninitialized taint removed.
 */
export function nodeModifiers(
  node: V1Node,
  metadata: InstanceMetadata,
  providerID: string,
  logger: Logger,
): NodeModifier[] {
  const modifiers: NodeModifier[] = [];
  if (!node.spec?.providerID) {
    modifiers.push((n) => {
      n.spec ??= {};
      n.spec.providerID ||= providerID;
    });
  }
  const nodeIP = providedNodeIP(node);
  if (nodeIP) {
    addressesFromNodeIP(nodeIP, metadata.nodeAddresses); // throws when not among the cloud's
  }
  const labels: Record<string, string> = {};
  if (metadata.instanceType) {
    labels[LABEL_INSTANCE_TYPE] = metadata.instanceType;
    labels[LABEL_INSTANCE_TYPE_BETA] = metadata.instanceType;
  }
  if (metadata.zone) {
    labels[LABEL_ZONE] = metadata.zone;
    labels[LABEL_ZONE_BETA] = metadata.zone;
  }
  if (metadata.region) {
    labels[LABEL_REGION] = metadata.region;
    labels[LABEL_REGION_BETA] = metadata.region;
  }
  const existing = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(metadata.additionalLabels ?? {})) {
    if (KUBERNETES_LABEL_NAMESPACE.test(key)) {
      logger.warn(
        { node: node.metadata?.name, label: key },
        `Discarding node label ${key} with kubernetes namespace`,
      );
      continue;
    }
    if (key in existing || key in labels) {
      if (existing[key] !== value) {
        logger.warn(
          { node: node.metadata?.name, label: key },
          'Not overwriting an existing node label',
        );
      }
      continue;
    }
    labels[key] = value;
  }
  if (Object.keys(labels).length > 0) {
    modifiers.push((n) => {
      n.metadata ??= {};
      n.metadata.labels = { ...n.metadata.labels, ...labels };
    });
  }
  modifiers.push((n) => {
    const taints = (n.spec?.taints ?? []).filter((t) => t.key !== TAINT_UNINITIALIZED);
    n.spec ??= {};
    n.spec.taints = taints.length > 0 ? taints : undefined;
  });
  return modifiers;
}

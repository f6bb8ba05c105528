import type { Node } from './service-types';

/** Nodes carrying this label (unless it parses as false) are not load-balancer backends. */
export const LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS =
  'node.kubernetes.io/exclude-from-external-load-balancers';
/** The cluster autoscaler's taint on a node it is about to remove. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: undefined when the text is not a boolean. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) {
    return true;
  }
  return GO_FALSE.has(text) ? false : undefined;
}

export function nodeNotDeleted(node: Node): boolean {
  const deleting = node.metadata?.deletionTimestamp;
  return deleting === undefined || deleting === null;
}

/** Label absent → included; `false` → included; `true`, `""` or anything unparsable → excluded. */
export function nodeIncluded(node: Node): boolean {
  const value = node.metadata?.labels?.[LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS];
  return value === undefined || parseGoBool(value) === false;
}

export function nodeUnTainted(node: Node): boolean {
  return !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

/**
 * KEP-3458's stable node set: not deleted, not excluded, not being scaled down. Readiness is
 * deliberately not a criterion (NotReady nodes stay backends).
 */
export function stableLoadBalancerNode(node: Node): boolean {
  return nodeNotDeleted(node) && nodeIncluded(node) && nodeUnTainted(node);
}

export function stableLoadBalancerNodes(nodes: readonly Node[]): Node[] {
  return nodes.filter(stableLoadBalancerNode);
}

/** A node update matters only if the exclusion predicate flipped or the providerID changed. */
export function shouldSyncUpdatedNode(old: Node, cur: Node): boolean {
  return (
    nodeIncluded(old) !== nodeIncluded(cur) ||
    (old.spec?.providerID ?? '') !== (cur.spec?.providerID ?? '')
  );
}

/** Same node names with the same providerIDs (what a host update depends on). */
export function nodesSufficientlyEqual(old: readonly Node[], cur: readonly Node[]): boolean {
  if (old.length !== cur.length) {
    return false;
  }
  const distill = (nodes: readonly Node[]) =>
    new Map(nodes.map((n) => [n.metadata?.name ?? '', n.spec?.providerID ?? '']));
  const a = distill(old);
  const b = distill(cur);
  return a.size === b.size && [...a].every(([name, id]) => b.has(name) && b.get(name) === id);
}

/**
 * Node names for messages (upstream's loggableNodeNames): the first 20 as a sorted set, then
 * `<k more>`.
 */
export function loggableNodeNames(nodes: readonly Node[], max = 20): string[] {
  const names = [...new Set(nodes.slice(0, max).map((n) => n.metadata?.name ?? ''))].sort();
  return nodes.length > max ? [...names, `<${nodes.length - max} more>`] : names;
}

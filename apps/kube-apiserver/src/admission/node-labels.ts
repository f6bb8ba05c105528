/*
 * The node labels a kubelet may set on its own Node (k8s.io/kubelet pkg/apis/well_known_labels.go
 * and noderestriction's getForbiddenLabels).
 */

const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
/** v1.LabelNamespaceNodeRestriction: labels only administrators may set. */
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

const namespaceOf = (key: string): string => {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
};
const inNamespace = (ns: string, domain: string): boolean =>
  ns === domain || ns.endsWith(`.${domain}`);

/** kubeletapis.IsKubeletLabel */
export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) {
    return true;
  }
  const ns = namespaceOf(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

function isKubernetesLabel(key: string): boolean {
  const ns = namespaceOf(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** Keys added, removed or changed between two label maps (getModifiedLabels). */
export function modifiedLabels(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].filter((k) => a?.[k] !== b?.[k]);
}

/** Of the modified labels, those a node may not touch, sorted (sets.String.List). */
export function forbiddenNodeLabels(modified: string[]): string[] {
  return modified
    .filter(
      (label) =>
        inNamespace(namespaceOf(label), NODE_RESTRICTION_NAMESPACE) ||
        (isKubernetesLabel(label) && !isKubeletLabel(label)),
    )
    .sort();
}

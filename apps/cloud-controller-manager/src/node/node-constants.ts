/** Taint kubelets with `--cloud-provider=external` register with; the node controller removes it. */
export const TAINT_UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
/** Added by the lifecycle controller to NotReady nodes whose instance is shut down. */
export const TAINT_SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';
/** The kubelet's `--node-ip`, comma-separated for dual-stack. */
export const ANNOTATION_PROVIDED_NODE_IP = 'alpha.kubernetes.io/provided-node-ip';

export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
export const LABEL_INSTANCE_TYPE_BETA = 'beta.kubernetes.io/instance-type';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
export const LABEL_REGION_BETA = 'failure-domain.beta.kubernetes.io/region';

/** Beta label (source of truth) → GA label, kept aligned on initialised nodes (helpers/labels.go). */
export const BETA_TO_GA_LABELS: readonly (readonly [string, string])[] = [
  [LABEL_ZONE_BETA, LABEL_ZONE],
  [LABEL_REGION_BETA, LABEL_REGION],
  [LABEL_INSTANCE_TYPE_BETA, LABEL_INSTANCE_TYPE],
];

/** AdditionalLabels in these namespaces are discarded. */
export const KUBERNETES_LABEL_NAMESPACE = /(^|\.)(kubernetes|k8s)\.io\//;

/** The `apiVersion`/`kind` the informer's objects lack, for event references. */
export const NODE_TYPE_META = { apiVersion: 'v1', kind: 'Node' } as const;

/**
 * The label every cloud instance of a Nimbus-simulated cluster carries:
 * `nimbus.dev/cluster=<cluster-name>` (`--cluster-name`, default `kubernetes`). Simulated kubelets
 * and kube-proxies run a node for each running instance that has it.
 */
export const CLUSTER_LABEL = 'nimbus.dev/cluster';

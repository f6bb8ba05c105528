import { KUBERNETES_GIT_VERSION } from '@app/kube-client';

/** What the simulated nodes report (cluster-simulation.md §2.2; the cluster plays Kubernetes 1.32). */
export const KUBELET_VERSION = KUBERNETES_GIT_VERSION;
/** Still set in 1.32 (= the kubelet version); empty from 1.33 (DisableNodeKubeProxyVersion). */
export const KUBE_PROXY_VERSION = KUBELET_VERSION;
export const CONTAINER_RUNTIME_VERSION = 'containerd://1.7.22';
export const KERNEL_VERSION = '6.8.0-45-generic';
export const OS_IMAGE = 'Ubuntu 24.04.1 LTS';
/** `daemonEndpoints.kubeletEndpoint.Port`. */
export const KUBELET_PORT = 10250;
/** Images listed in `status.images` at most (nodeStatusMaxImages). */
export const NODE_STATUS_MAX_IMAGES = 50;

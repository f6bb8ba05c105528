export {
  startKubeApiServer,
  type RunningKubeApiServer,
  type KubeApiServerDeps,
} from './start-kube-apiserver';
export {
  startKubeApiServerThread,
  type KubeApiServerThread,
  type KubeApiServerThreadDeps,
} from './thread/start-kube-apiserver-thread';
// For components that need their own kubeconfig (e.g. the CCM with its token).
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './auth/kubeconfig';
export { COMPONENT_USERS } from './auth/token-authenticator';

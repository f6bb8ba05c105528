export {
  startKubeApiServer,
  type RunningKubeApiServer,
  type KubeApiServerDeps,
} from './start-kube-apiserver';
// For components that need their own kubeconfig (e.g. the CCM with its token).
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './auth/kubeconfig';
export { COMPONENT_USERS } from './auth/token-authenticator';

export {
  startKubeApiServer,
  type RunningKubeApiServer,
  type KubeApiServerDeps,
} from './start-kube-apiserver';

// The only place that imports @kubernetes/client-node; everything else goes through here.
export * from './kubeconfig';
export * from './resilient-informer';
export {
  CoreV1Api,
  CoordinationV1Api,
  DiscoveryV1Api,
  StorageV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type KubernetesListObject,
  type V1Node,
  type V1Pod,
  type V1Service,
  type V1Namespace,
  type V1Lease,
  type V1ConfigMap,
} from '@kubernetes/client-node';

// The only place that imports @kubernetes/client-node; everything else goes through here.
export * from './kubeconfig';
export * from './api-clients';
export * from './keep-alive';
export * from './resilient-informer';
export * from './informer-adapter';
export * from './informer-factory';
export * from './api-error';
export * from './event-sink';
export * from './events-v1-sink';
export * from './lease-lock';
export * from './typed-clients';
export * from './kube-rest';
export * from './wire-types';
export * from './shared-informers';
export * from './patch-type';
export * from './storage-clients';
export * from './pod-client';
export * from './resource-informer';
export * from './user-agent';
export {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CoordinationV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  SchedulingV1Api,
  StorageV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  PortForward,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type KubernetesListObject,
  type V1Node,
  type V1NodeAddress,
  type V1NodeCondition,
  type V1Taint,
  type V1Pod,
  type V1PodSpec,
  type V1Container,
  type V1Toleration,
  type V1Affinity,
  type V1NodeSelector,
  type V1NodeSelectorRequirement,
  type V1LabelSelector,
  type V1PodAffinityTerm,
  type V1TopologySpreadConstraint,
  type V1PodCondition,
  type V1OwnerReference,
  type V1ReplicaSet,
  type V1StatefulSet,
  type V1ReplicationController,
  type V1Volume,
  type V1ContainerPort,
  type V1Service,
  type V1Namespace,
  type V1Lease,
  type V1ConfigMap,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1PersistentVolumeClaimCondition,
  type V1StorageClass,
  type V1CSIDriver,
  type V1CSINode,
  type V1CSINodeDriver,
  type V1VolumeAttachment,
  type V1NodeSelectorTerm,
  type V1TopologySelectorTerm,
  type CoreV1Event as V1Event,
} from '@kubernetes/client-node';

import type {
  CoreV1Event,
  V1ConfigMap,
  V1Lease,
  V1Namespace,
  V1Node,
  V1NodeCondition,
  V1Pod,
  V1PodCondition,
  V1ContainerStatus,
  V1Service,
  V1ServiceAccount,
  V1Taint,
  V1Toleration,
  V1Container,
  V1Probe,
  V1Deployment,
  V1ReplicaSet,
  V1ReplicationController,
  V1Job,
  V1CronJob,
  V1DaemonSet,
  V1StatefulSet,
  V1PodDisruptionBudget,
  V1PodTemplateSpec,
  V1LabelSelector,
  V1OwnerReference,
  V1ControllerRevision,
  V1PersistentVolumeClaim,
  V1EndpointSlice,
  V1Endpoints,
  V1PersistentVolume,
  V1VolumeAttachment,
  V1StorageClass,
  V1CSIDriver,
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerCondition,
  V2MetricSpec,
  V1Scale,
} from '@kubernetes/client-node';

/**
 * An API type as it travels on the wire: client-node's model classes describe time fields as
 * `Date`, but raw JSON (what `KubeRest` and the raw informers hand out) carries RFC 3339 strings.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type PodObject = Wire<V1Pod>;
export type NodeObject = Wire<V1Node>;
export type LeaseObject = Wire<V1Lease>;
export type NamespaceObject = Wire<V1Namespace>;
export type ConfigMapObject = Wire<V1ConfigMap>;
export type ServiceAccountObject = Wire<V1ServiceAccount>;
export type ServiceObject = Wire<V1Service>;
export type EventObject = Wire<CoreV1Event>;
export type NodeCondition = Wire<V1NodeCondition>;
export type PodCondition = Wire<V1PodCondition>;
export type ContainerStatus = Wire<V1ContainerStatus>;
export type Taint = Wire<V1Taint>;
export type Toleration = Wire<V1Toleration>;
export type Container = Wire<V1Container>;
export type Probe = Wire<V1Probe>;
export type DeploymentObject = Wire<V1Deployment>;
export type ReplicaSetObject = Wire<V1ReplicaSet>;
export type ReplicationControllerObject = Wire<V1ReplicationController>;
export type JobObject = Wire<V1Job>;
export type CronJobObject = Wire<V1CronJob>;
export type DaemonSetObject = Wire<V1DaemonSet>;
export type StatefulSetObject = Wire<V1StatefulSet>;
export type PodDisruptionBudgetObject = Wire<V1PodDisruptionBudget>;
export type ControllerRevisionObject = Wire<V1ControllerRevision>;
export type PersistentVolumeClaimObject = Wire<V1PersistentVolumeClaim>;
export type PodTemplateSpec = Wire<V1PodTemplateSpec>;
export type LabelSelector = Wire<V1LabelSelector>;
export type OwnerReference = Wire<V1OwnerReference>;
export type EndpointSliceObject = Wire<V1EndpointSlice>;
export type EndpointsObject = Wire<V1Endpoints>;
export type PersistentVolumeObject = Wire<V1PersistentVolume>;
export type VolumeAttachmentObject = Wire<V1VolumeAttachment>;
export type StorageClassObject = Wire<V1StorageClass>;
export type CsiDriverObject = Wire<V1CSIDriver>;
export type HorizontalPodAutoscalerObject = Wire<V2HorizontalPodAutoscaler>;
export type HorizontalPodAutoscalerCondition = Wire<V2HorizontalPodAutoscalerCondition>;
export type MetricSpec = Wire<V2MetricSpec>;
export type ScaleObject = Wire<V1Scale>;

/** A list as the API answers it. */
export interface ListObject<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

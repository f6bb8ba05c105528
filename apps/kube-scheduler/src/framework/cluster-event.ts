/** The cluster events the scheduling queue reacts to (framework.ClusterEvent, flattened). */
export type ClusterEvent =
  | 'Node/Add'
  | 'Node/Update'
  | 'Pod/Add'
  | 'Pod/Update'
  | 'Pod/Delete'
  | 'PersistentVolumeClaim/Add'
  | 'PersistentVolumeClaim/Update'
  | 'PersistentVolume/Add'
  | 'PersistentVolume/Update'
  | 'StorageClass/Add'
  | 'StorageClass/Update'
  | 'CSINode/Add'
  | 'CSINode/Update'
  | 'Namespace/Add'
  | 'Namespace/Update';

/** Pseudo events that move pods regardless of plugins (flush timeouts, failed bindings). */
export type QueueEvent = ClusterEvent | 'UnschedulableTimeout' | 'BindingFailed' | 'ForceActivate';

/** Pod events concern assigned pods (scheduled elsewhere); the label upstream uses in metrics. */
export const EVENT_LABELS: Record<QueueEvent, string> = {
  'Node/Add': 'NodeAdd',
  'Node/Update': 'NodeUpdate',
  'Pod/Add': 'AssignedPodAdd',
  'Pod/Update': 'AssignedPodUpdate',
  'Pod/Delete': 'AssignedPodDelete',
  'PersistentVolumeClaim/Add': 'PvcAdd',
  'PersistentVolumeClaim/Update': 'PvcUpdate',
  'PersistentVolume/Add': 'PvAdd',
  'PersistentVolume/Update': 'PvUpdate',
  'StorageClass/Add': 'StorageClassAdd',
  'StorageClass/Update': 'StorageClassUpdate',
  'CSINode/Add': 'CSINodeAdd',
  'CSINode/Update': 'CSINodeUpdate',
  'Namespace/Add': 'NamespaceAdd',
  'Namespace/Update': 'NamespaceUpdate',
  UnschedulableTimeout: 'UnschedulableTimeout',
  BindingFailed: 'AssignedPodDelete',
  ForceActivate: 'ForceActivate',
};

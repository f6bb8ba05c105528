/*
 * Annotations, finalizers and labels of Kubernetes storage, with the component that writes each
 * (kubernetes/kubernetes pkg/controller/volume/persistentvolume/util, sig-storage-lib-external-
 * provisioner controller.go, kubernetes-csi/external-attacher and external-resizer). The CCM's CSI
 * controllers and the simulated kube-controller-manager, scheduler and kubelet share them.
 */

/** PVC: the provisioner that should provision it (set by KCM's PV controller). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
/** PVC: the beta twin the PV controller still sets. */
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** PVC: the node the scheduler picked for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** PVC: the CSI driver expanding it (set by KCM's expand controller). */
export const ANN_STORAGE_RESIZER = 'volume.kubernetes.io/storage-resizer';
/** PVC: external-resizer says the kubelet needs not expand the file system. */
export const ANN_NODE_EXPANSION_NOT_REQUIRED = 'volume.kubernetes.io/node-expansion-not-required';
/** PVC (legacy): the class name before `spec.storageClassName`. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** PV and PVC: set by the PV controller once it bound them. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** PV: the provisioner that created it. */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** PV: where DeleteVolume's secret is (empty when none; external-provisioner always sets both). */
export const ANN_PROVISIONER_DELETION_SECRET_NAME =
  'volume.kubernetes.io/provisioner-deletion-secret-name';
export const ANN_PROVISIONER_DELETION_SECRET_NAMESPACE =
  'volume.kubernetes.io/provisioner-deletion-secret-namespace';
/** PV: the capacity before a resize that still needs the node's file-system step. */
export const ANN_PRE_RESIZE_CAPACITY = 'volume.alpha.kubernetes.io/pre-resize-capacity';
/** VolumeAttachment: the CSI node ID the attacher used (external-attacher). */
export const ANN_VOLUME_ATTACHMENT_NODE_ID = 'csi.alpha.kubernetes.io/node-id';
/** StorageClass: the class claims without a class get. */
export const ANN_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_STORAGE_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** Node: the kubelet lets KCM's attach/detach controller attach its volumes. */
export const ANN_CONTROLLER_MANAGED_ATTACH_DETACH =
  'volumes.kubernetes.io/controller-managed-attach-detach';

/** PV: external-provisioner deletes the backing volume before the PV goes. */
export const FINALIZER_EXTERNAL_PROVISIONER = 'external-provisioner.volume.kubernetes.io/finalizer';
/** PVC and PV protection (KCM's pvc-protection / pv-protection controllers). */
export const FINALIZER_PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const FINALIZER_PV_PROTECTION = 'kubernetes.io/pv-protection';

/** Objects created if missing and never overwritten (the addon manager's EnsureExists mode). */
export const LABEL_ADDON_MODE = 'addonmanager.kubernetes.io/mode';
export const ADDON_MODE_ENSURE_EXISTS = 'EnsureExists';

/** The well-known zone label (node controller) and topology key of cloud CSI drivers. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

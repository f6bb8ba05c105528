/** The Nimbus CSI driver's name: CSIDriver object, StorageClass provisioner, PV `spec.csi.driver`. */
export const NIMBUS_CSI_DRIVER = 'disk.csi.nimbus.dev';

/**
 * The driver's own zone topology key. Like the AWS EBS driver, the node side publishes it and
 * the well-known `topology.kubernetes.io/zone`; volumes answer only the well-known key, so PV
 * node affinity works with the labels the node controller sets.
 */
export const NIMBUS_ZONE_TOPOLOGY_KEY = 'topology.disk.csi.nimbus.dev/zone';
export const WELL_KNOWN_ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';

/** Publish-context key of the device an attachment got (the AWS EBS driver's name for it). */
export const DEVICE_PATH_KEY = 'devicePath';

/** Cloud volume labels: ownership and what the volume was created for. */
export const VOLUME_LABEL_CLUSTER = 'kubernetes.io/cluster-name';
export const VOLUME_LABEL_PVC_NAME = 'csi.nimbus.dev/pvc-name';
export const VOLUME_LABEL_PVC_NAMESPACE = 'csi.nimbus.dev/pvc-namespace';
export const VOLUME_LABEL_PV_NAME = 'csi.nimbus.dev/pv-name';

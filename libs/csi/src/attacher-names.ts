import { createHash } from 'node:crypto';

/**
 * external-attacher's SanitizeDriverName: characters outside `[a-zA-Z0-9-]` become `-`, and a
 * trailing `-` gets an `X` (a finalizer name may not end with `-`).
 */
export function sanitizeDriverName(driver: string): string {
  const name = driver.replace(/[^a-zA-Z0-9-]/g, '-');
  return name.endsWith('-') ? `${name}X` : name;
}

/** `external-attacher/<sanitized driver>`: on VolumeAttachments and on the PVs they attach. */
export function attacherFinalizer(driver: string): string {
  return `external-attacher/${sanitizeDriverName(driver)}`;
}

/**
 * The VolumeAttachment name KCM's attach/detach controller uses (kubernetes/kubernetes
 * pkg/volume/csi/csi_attacher.go getAttachmentName): `csi-` + hex SHA-256 of volume handle,
 * driver name and node name concatenated.
 */
export function volumeAttachmentName(
  volumeHandle: string,
  driverName: string,
  nodeName: string,
): string {
  const digest = createHash('sha256').update(`${volumeHandle}${driverName}${nodeName}`).digest();
  return `csi-${digest.toString('hex')}`;
}

/**
 * The unique name of a CSI volume in the kubelet's and the attach/detach controller's state, as
 * node `status.volumesInUse` and `status.volumesAttached` show it (kubernetes/kubernetes
 * pkg/volume/csi csi_plugin.go GetVolumeName): `kubernetes.io/csi/<driver>^<volume handle>`.
 */
export function csiUniqueVolumeName(driverName: string, volumeHandle: string): string {
  return `kubernetes.io/csi/${driverName}^${volumeHandle}`;
}

import type { Handle, Plugin } from '../../framework/interfaces';

/** VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone (in that order). */
export function volumePlugins(_handle: Handle): Plugin[] {
  return [];
}

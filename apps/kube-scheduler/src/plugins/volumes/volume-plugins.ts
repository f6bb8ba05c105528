import type { Handle, Plugin } from '../../framework/interfaces';
import { NodeVolumeLimits } from './node-volume-limits';
import { VolumeBinding } from './volume-binding';
import { VolumeRestrictions } from './volume-restrictions';
import { VolumeZone } from './volume-zone';

/** VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone (in that order). */
export function volumePlugins(handle: Handle): Plugin[] {
  return [
    new VolumeRestrictions(handle.cache, handle.listers),
    new NodeVolumeLimits(handle.listers),
    new VolumeBinding(handle.listers, handle.cache, handle.volumes, handle.time),
    new VolumeZone(handle.listers),
  ];
}

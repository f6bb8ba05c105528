import { CsiError } from '../../api/volumes';

/** StorageClass parameters the Nimbus driver understands (keys are case-insensitive). */
export interface VolumeParameters {
  /** Cloud volume type (`GET /v1/volume-types`): `ssd`, `standard`, or a catalog type. */
  type: string;
}

export const DEFAULT_VOLUME_TYPE = 'standard';

/**
 * Parses the parameters external-provisioner passes on (the `csi.storage.k8s.io/` ones already
 * removed). An unknown key is InvalidArgument, as the AWS EBS driver answers; the deprecated
 * un-prefixed `fstype` is accepted and ignored (the provisioner reads it for the PV).
 */
export function parseVolumeParameters(parameters: Record<string, string>): VolumeParameters {
  const result: VolumeParameters = { type: DEFAULT_VOLUME_TYPE };
  for (const [key, value] of Object.entries(parameters)) {
    switch (key.toLowerCase()) {
      case 'type':
        if (value.trim() === '') {
          throw new CsiError('InvalidArgument', 'parameter "type" must not be empty');
        }
        result.type = value.trim();
        break;
      case 'fstype':
        break;
      default:
        throw new CsiError('InvalidArgument', `invalid parameter key "${key}" for CreateVolume`);
    }
  }
  return result;
}

/** Access modes that need a volume attached to several instances at once. */
const MULTI_NODE_MODES = new Set(['ReadWriteMany', 'ReadOnlyMany']);

export const needsMultiAttach = (accessModes: string[]): boolean =>
  accessModes.some((mode) => MULTI_NODE_MODES.has(mode));

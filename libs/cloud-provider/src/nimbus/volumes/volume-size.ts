import type { VolumeTypeDto } from '@app/cloud-contracts';
import { CsiError } from '../../api/volumes';

const GiB = 1024n ** 3n;

/**
 * The cloud size for `capacity_range.required_bytes`: whole GiB rounded up, at least the type's
 * minimum (CSI lets a volume be larger than asked; the PV shows the real size). Above the type's
 * maximum is OutOfRange, which the sidecars treat as infeasible.
 */
export function volumeSizeGiB(requiredBytes: bigint, type: VolumeTypeDto): number {
  const wanted = requiredBytes <= 0n ? 1 : Number((requiredBytes + GiB - 1n) / GiB);
  if (wanted > type.maxSizeGiB) {
    throw new CsiError(
      'OutOfRange',
      `requested size ${wanted}GiB exceeds the maximum of volume type "${type.name}" (${type.maxSizeGiB}GiB)`,
    );
  }
  return Math.max(wanted, type.minSizeGiB);
}

export const gibToBytes = (gib: number): bigint => BigInt(gib) * GiB;

import type { VolumeTypeDto } from '@app/cloud-contracts';
import { CsiError } from '../../api/volumes';
import { needsMultiAttach, parseVolumeParameters } from './volume-parameters';
import { gibToBytes, volumeSizeGiB } from './volume-size';
import { chooseZone, zoneSatisfies } from './zone-choice';

const GiB = 1024n ** 3n;
const ssd: VolumeTypeDto = {
  name: 'ssd',
  description: '',
  minSizeGiB: 4,
  maxSizeGiB: 16384,
  multiAttach: true,
  default: false,
  zones: [],
};

describe('volumeSizeGiB', () => {
  it('rounds up to whole GiB and to the type minimum', () => {
    expect(volumeSizeGiB(5n * GiB, ssd)).toBe(5);
    expect(volumeSizeGiB(5n * GiB + 1n, ssd)).toBe(6);
    expect(volumeSizeGiB(1_500_000_000n, { ...ssd, minSizeGiB: 1 })).toBe(2);
    expect(volumeSizeGiB(1n, ssd)).toBe(4);
    expect(volumeSizeGiB(0n, { ...ssd, minSizeGiB: 1 })).toBe(1);
    expect(gibToBytes(5)).toBe(5n * GiB);
  });

  it('refuses more than the type maximum with OutOfRange', () => {
    expect(() => volumeSizeGiB(16385n * GiB, ssd)).toThrow(CsiError);
    try {
      volumeSizeGiB(16385n * GiB, ssd);
    } catch (err) {
      expect((err as CsiError).code).toBe('OutOfRange');
      expect((err as CsiError).message).toBe(
        'rpc error: code = OutOfRange desc = requested size 16385GiB exceeds the maximum of volume type "ssd" (16384GiB)',
      );
    }
  });
});

describe('chooseZone', () => {
  const fallback = () => Promise.resolve('default-zone');

  it('takes the first preferred zone under either topology key, else requisite, else the fallback', async () => {
    expect(
      await chooseZone(
        {
          preferred: [
            { 'topology.disk.csi.nimbus.dev/zone': 'z2' },
            { 'topology.kubernetes.io/zone': 'z1' },
          ],
          requisite: [{ 'topology.kubernetes.io/zone': 'z1' }],
        },
        fallback,
      ),
    ).toBe('z2');
    expect(
      await chooseZone(
        { preferred: [], requisite: [{ 'topology.kubernetes.io/zone': 'z3' }] },
        fallback,
      ),
    ).toBe('z3');
    expect(await chooseZone(undefined, fallback)).toBe('default-zone');
  });

  it('checks an existing volume against the requisite topology', () => {
    const requirement = {
      preferred: [],
      requisite: [{ 'topology.kubernetes.io/zone': 'z1' }, { 'topology.kubernetes.io/zone': 'z2' }],
    };
    expect(zoneSatisfies('z2', requirement)).toBe(true);
    expect(zoneSatisfies('z3', requirement)).toBe(false);
    expect(zoneSatisfies('z3', undefined)).toBe(true);
  });
});

describe('parseVolumeParameters', () => {
  it('reads the type (case-insensitive key), ignores the deprecated fstype, refuses unknown keys', () => {
    expect(parseVolumeParameters({})).toEqual({ type: 'standard' });
    expect(parseVolumeParameters({ Type: 'ssd', fstype: 'xfs' })).toEqual({ type: 'ssd' });
    expect(() => parseVolumeParameters({ iops: '3000' })).toThrow(
      'rpc error: code = InvalidArgument desc = invalid parameter key "iops" for CreateVolume',
    );
  });

  it('needs multi-attach for multi-node access modes only', () => {
    expect(needsMultiAttach(['ReadWriteOnce'])).toBe(false);
    expect(needsMultiAttach(['ReadWriteOncePod'])).toBe(false);
    expect(needsMultiAttach(['ReadWriteMany'])).toBe(true);
    expect(needsMultiAttach(['ReadOnlyMany', 'ReadWriteOnce'])).toBe(true);
  });
});

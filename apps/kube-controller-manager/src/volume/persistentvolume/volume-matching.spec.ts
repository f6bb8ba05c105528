import type { PersistentVolumeClaimObject, PersistentVolumeObject } from '@app/kube-client';
import { findBestMatchForClaim } from './volume-matching';

const claim = (spec: Record<string, unknown> = {}): PersistentVolumeClaimObject => ({
  metadata: { name: 'data', namespace: 'default', uid: 'c-1' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'gold',
    resources: { requests: { storage: '5Gi' } },
    ...spec,
  },
});

const pv = (
  name: string,
  size: string,
  extra: { spec?: Record<string, unknown>; labels?: Record<string, string>; phase?: string } = {},
): PersistentVolumeObject => ({
  metadata: { name, labels: extra.labels },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
    storageClassName: 'gold',
    ...extra.spec,
  },
  status: { phase: extra.phase ?? 'Available' },
});

const names = (v: PersistentVolumeObject | undefined) => v?.metadata?.name;

describe('findBestMatchForClaim', () => {
  it('picks the smallest Available volume that is big enough', () => {
    const volumes = [pv('big', '50Gi'), pv('small', '1Gi'), pv('fits', '8Gi'), pv('exact', '5Gi')];
    expect(names(findBestMatchForClaim(claim(), volumes, false))).toBe('exact');
  });

  it('skips other classes, missing access modes, other volume modes, bound and released volumes', () => {
    const volumes = [
      pv('silver', '5Gi', { spec: { storageClassName: 'silver' } }),
      pv('rom', '5Gi', { spec: { accessModes: ['ReadOnlyMany'] } }),
      pv('block', '5Gi', { spec: { volumeMode: 'Block' } }),
      pv('taken', '5Gi', { spec: { claimRef: { namespace: 'default', name: 'other' } } }),
      pv('released', '5Gi', { phase: 'Released' }),
    ];
    expect(findBestMatchForClaim(claim(), volumes, false)).toBeUndefined();
  });

  it('honours the claim selector', () => {
    const volumes = [pv('plain', '5Gi'), pv('labelled', '10Gi', { labels: { tier: 'gold' } })];
    const selective = claim({ selector: { matchLabels: { tier: 'gold' } } });
    expect(names(findBestMatchForClaim(selective, volumes, false))).toBe('labelled');
  });

  it('prefers a volume pre-bound to the claim, also with delayed binding', () => {
    const preBound = pv('pre', '20Gi', {
      spec: { claimRef: { namespace: 'default', name: 'data', uid: 'c-1' } },
      phase: 'Pending',
    });
    const volumes = [pv('exact', '5Gi'), preBound];
    expect(names(findBestMatchForClaim(claim(), volumes, false))).toBe('pre');
    expect(names(findBestMatchForClaim(claim(), volumes, true))).toBe('pre');
    // Delayed binding leaves unbound volumes to the scheduler.
    expect(findBestMatchForClaim(claim(), [pv('exact', '5Gi')], true)).toBeUndefined();
  });

  it('ignores a volume pre-bound to an earlier claim of the same name (other UID)', () => {
    const stale = pv('stale', '5Gi', {
      spec: { claimRef: { namespace: 'default', name: 'data', uid: 'c-0' } },
    });
    expect(findBestMatchForClaim(claim(), [stale], false)).toBeUndefined();
  });
});

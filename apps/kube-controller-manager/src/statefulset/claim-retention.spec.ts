import type { PersistentVolumeClaimObject, PodObject, StatefulSetObject } from '@app/kube-client';
import { ordinalRange, retentionOwnerRefs } from './claim-retention';

const set = (whenDeleted: string, whenScaled: string): StatefulSetObject => ({
  metadata: { name: 'web', uid: 'set-uid' },
  spec: {
    replicas: 2,
    selector: {},
    serviceName: 'web',
    template: {},
    persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled },
  },
});
const pod: PodObject = { metadata: { name: 'web-3', uid: 'pod-uid' } };
const claim = (...uids: string[]): PersistentVolumeClaimObject => ({
  metadata: {
    name: 'www-web-3',
    ownerReferences: uids.map((uid) => ({ apiVersion: 'x', kind: 'y', name: 'z', uid })),
  },
});
const uids = (refs: { uid: string }[] | undefined) => refs?.map((r) => r.uid);

describe('persistentVolumeClaimRetentionPolicy owner references (upstream)', () => {
  it('Retain/Retain removes both references', () => {
    expect(
      uids(retentionOwnerRefs(claim('set-uid', 'pod-uid'), set('Retain', 'Retain'), pod, false)),
    ).toEqual([]);
    expect(retentionOwnerRefs(claim(), set('Retain', 'Retain'), pod, true)).toBeUndefined();
  });

  it('whenDeleted Delete: owned by the set (with the set reference shape)', () => {
    const refs = retentionOwnerRefs(claim(), set('Delete', 'Retain'), pod, false);
    expect(refs).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' },
    ]);
  });

  it('whenScaled Delete: a scaled-down pod owns its claim, an in-range one does not', () => {
    expect(retentionOwnerRefs(claim(), set('Retain', 'Delete'), pod, false)).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'web-3', uid: 'pod-uid' },
    ]);
    expect(uids(retentionOwnerRefs(claim('pod-uid'), set('Retain', 'Delete'), pod, true))).toEqual(
      [],
    );
  });

  it('Delete/Delete: the set owns in-range claims, the pod owns scaled-down ones', () => {
    expect(uids(retentionOwnerRefs(claim('set-uid'), set('Delete', 'Delete'), pod, false))).toEqual(
      ['pod-uid'],
    );
    expect(uids(retentionOwnerRefs(claim('pod-uid'), set('Delete', 'Delete'), pod, true))).toEqual([
      'set-uid',
    ]);
    // Before the pod exists only the set reference applies.
    expect(uids(retentionOwnerRefs(claim(), set('Delete', 'Delete'), undefined, true))).toEqual([
      'set-uid',
    ]);
  });

  it('runs ordinals from spec.ordinals.start', () => {
    expect(
      ordinalRange({
        spec: { replicas: 3, ordinals: { start: 5 }, selector: {}, template: {}, serviceName: '' },
      }),
    ).toEqual({
      start: 5,
      end: 8,
    });
  });
});

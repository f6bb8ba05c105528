import { addFinalizerPatch, removeFinalizerPatch } from './finalizer-patches';
import { persistentVolumeFor } from './provisioner/persistent-volume';
import { stateAfterCreateError } from './provisioner/provisioning-state';
import { mergeResizeConditions } from './resizer/resize-status';
import { shouldEnqueueClaimUpdate } from './resizer/resizer-controller';
import { CsiError } from '@app/cloud-provider';

describe('persistentVolumeFor', () => {
  it('builds the PV external-provisioner would (name, annotations, CSI source, topology)', () => {
    const pv = persistentVolumeFor({
      claim: {
        metadata: { name: 'data', namespace: 'ns', uid: 'u-1', resourceVersion: '7' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', volumeMode: 'Block' },
      },
      storageClass: {
        provisioner: 'd.example',
        reclaimPolicy: 'Retain',
        mountOptions: ['noatime'],
      },
      volume: {
        volumeId: 'vol-1',
        capacityBytes: 3n * 1024n ** 3n,
        volumeContext: {},
        accessibleTopology: [{ 'topology.kubernetes.io/zone': 'z1' }],
      },
      driver: 'd.example',
      identity: '1-2-d.example',
      fsType: 'ext4',
    });
    expect(pv.metadata?.name).toBe('pvc-u-1');
    expect(pv.metadata?.finalizers).toEqual([
      'external-provisioner.volume.kubernetes.io/finalizer',
    ]);
    expect(pv.spec?.capacity).toEqual({ storage: '3Gi' });
    // Block volumes carry no fsType.
    expect(pv.spec?.csi).toEqual({
      driver: 'd.example',
      volumeHandle: 'vol-1',
      volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': '1-2-d.example' },
    });
    expect(pv.spec).toMatchObject({
      persistentVolumeReclaimPolicy: 'Retain',
      mountOptions: ['noatime'],
      storageClassName: 'fast',
      volumeMode: 'Block',
      claimRef: { namespace: 'ns', name: 'data', uid: 'u-1', resourceVersion: '7' },
    });
  });
});

describe('finalizer patches', () => {
  it('adds and removes exactly one finalizer, guarded by test operations', () => {
    expect(addFinalizerPatch(undefined, 'f')).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: ['f'] },
    ]);
    expect(addFinalizerPatch(['a'], 'f')).toEqual([
      { op: 'add', path: '/metadata/finalizers/-', value: 'f' },
    ]);
    expect(removeFinalizerPatch(['a', 'f'], 'f')).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: 'f' },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(['a'], 'f')).toBeUndefined();
  });
});

describe('provisioning state after a failed CreateVolume', () => {
  it('keeps going in the background only when the cloud may still be working', () => {
    expect(stateAfterCreateError(new CsiError('Unavailable', 'x'), false)).toBe('InBackground');
    expect(stateAfterCreateError(new Error('socket hang up'), false)).toBe('InBackground');
    expect(stateAfterCreateError(new CsiError('ResourceExhausted', 'x'), true)).toBe('Reschedule');
    expect(stateAfterCreateError(new CsiError('ResourceExhausted', 'x'), false)).toBe('Finished');
    expect(stateAfterCreateError(new CsiError('InvalidArgument', 'x'), true)).toBe('Finished');
  });
});

describe('resizer', () => {
  it('merges resize conditions, leaving others alone', () => {
    const old = [
      { type: 'Resizing', status: 'True' },
      { type: 'Custom', status: 'True' },
    ];
    const pending = { type: 'FileSystemResizePending', status: 'True' };
    expect(mergeResizeConditions(old, [pending], true)).toEqual([...old, pending]);
    expect(mergeResizeConditions(old, [pending], false)).toEqual([old[1], pending]);
  });

  it('enqueues claim updates only for a size change, a resync or a resize status change', () => {
    const claim = (storage: string, rv: string, labels?: Record<string, string>) => ({
      metadata: { resourceVersion: rv, labels },
      spec: { resources: { requests: { storage } } },
    });
    expect(shouldEnqueueClaimUpdate(claim('1Gi', '1'), claim('2Gi', '2'))).toBe(true);
    expect(shouldEnqueueClaimUpdate(claim('1Gi', '1'), claim('1Gi', '1'))).toBe(true);
    expect(shouldEnqueueClaimUpdate(claim('1Gi', '1'), claim('1Gi', '2', { a: 'b' }))).toBe(false);
  });
});

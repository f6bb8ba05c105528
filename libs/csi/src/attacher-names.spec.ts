import { attacherFinalizer, sanitizeDriverName, volumeAttachmentName } from './attacher-names';
import { claimClass, claimProvisioner, provisionedVolumeName } from './claims';

describe('external-attacher names', () => {
  it('sanitizes the driver name like SanitizeDriverName', () => {
    expect(sanitizeDriverName('disk.csi.nimbus.dev')).toBe('disk-csi-nimbus-dev');
    expect(sanitizeDriverName('a_b/c.')).toBe('a-b-c-X');
    expect(attacherFinalizer('disk.csi.nimbus.dev')).toBe('external-attacher/disk-csi-nimbus-dev');
  });

  it('names VolumeAttachments csi-<sha256(handle + driver + node)> as KCM does', () => {
    // printf 'vol-0123disk.csi.nimbus.devworker-1' | sha256sum
    expect(volumeAttachmentName('vol-0123', 'disk.csi.nimbus.dev', 'worker-1')).toBe(
      'csi-9754df5ba4730a69f7252efce473cc4d6b8c8a110249520c438b1873e49f6c7d',
    );
  });
});

describe('claim helpers', () => {
  it('prefers the beta class annotation, then spec.storageClassName', () => {
    expect(claimClass({ spec: { storageClassName: 'fast' } })).toBe('fast');
    expect(
      claimClass({
        metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } },
        spec: { storageClassName: 'fast' },
      }),
    ).toBe('old');
    expect(claimClass({})).toBe('');
  });

  it('reads the GA provisioner annotation before the beta one', () => {
    const annotations = {
      'volume.beta.kubernetes.io/storage-provisioner': 'beta.example',
      'volume.kubernetes.io/storage-provisioner': 'ga.example',
    };
    expect(claimProvisioner({ metadata: { annotations } })).toBe('ga.example');
    expect(
      claimProvisioner({
        metadata: { annotations: { 'volume.beta.kubernetes.io/storage-provisioner': 'b' } },
      }),
    ).toBe('b');
    expect(claimProvisioner({})).toBeUndefined();
  });

  it('names the PV pvc-<uid>', () => {
    expect(provisionedVolumeName({ metadata: { uid: '4f1d-22' } })).toBe('pvc-4f1d-22');
  });
});

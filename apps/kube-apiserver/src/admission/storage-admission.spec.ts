import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import type { StoredObject } from '../storage/revision';
import type { TypedStore } from '../storage/typed-store';
import { ANN_DEFAULT_STORAGE_CLASS } from '@app/csi';
import {
  DefaultStorageClassAdmission,
  PersistentVolumeClaimResizeAdmission,
  StorageObjectInUseProtectionAdmission,
} from './storage-admission';

const claimType = { group: '', kind: 'PersistentVolumeClaim' } as ResourceType;
const podType = { group: '', kind: 'Pod' } as ResourceType;

function classes(...objects: KubeObject[]): TypedStore {
  const stored = objects.map((object) => ({ object }) as StoredObject);
  return {
    get: (_ns: string, name: string) => stored.find((s) => s.object.metadata.name === name),
    list: () => stored,
  } as unknown as TypedStore;
}

const sc = (name: string, created: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, creationTimestamp: created },
  provisioner: 'disk.csi.nimbus.dev',
  ...extra,
});
const defaultSc = (name: string, created: string, extra: Partial<KubeObject> = {}) =>
  sc(name, created, {
    ...extra,
    metadata: {
      name,
      creationTimestamp: created,
      annotations: { [ANN_DEFAULT_STORAGE_CLASS]: 'true' },
    },
  });

const claim = (spec: Record<string, unknown>, phase?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], ...spec },
  ...(phase ? { status: { phase } } : {}),
});

describe('DefaultStorageClass admission', () => {
  it('gives a class-less claim the newest default class, the name breaking a tie', () => {
    const plugin = new DefaultStorageClassAdmission(
      classes(
        defaultSc('old', '2026-01-01T00:00:00Z'),
        sc('plain', '2026-03-01T00:00:00Z'),
        defaultSc('newer-b', '2026-02-01T00:00:00Z'),
        defaultSc('newer-a', '2026-02-01T00:00:00Z'),
      ),
    );
    const pvc = claim({});
    plugin.admit(claimType, pvc);
    expect(pvc.spec).toMatchObject({ storageClassName: 'newer-a' });
  });

  it('leaves claims that name a class (or "") alone, and everything when no class is default', () => {
    const plugin = new DefaultStorageClassAdmission(
      classes(defaultSc('ssd', '2026-01-01T00:00:00Z')),
    );
    const none = claim({ storageClassName: '' });
    plugin.admit(claimType, none);
    expect(none.spec).toMatchObject({ storageClassName: '' });
    const pod = { metadata: { name: 'p' }, spec: {} } as KubeObject;
    plugin.admit(podType, pod);
    expect(pod.spec).toEqual({});
    const noDefault = new DefaultStorageClassAdmission(classes(sc('slow', '2026-01-01T00:00:00Z')));
    const pvc = claim({});
    noDefault.admit(claimType, pvc);
    expect(pvc.spec).not.toHaveProperty('storageClassName');
  });
});

describe('PersistentVolumeClaimResize admission', () => {
  const plugin = new PersistentVolumeClaimResizeAdmission(
    classes(
      sc('expandable', '2026-01-01T00:00:00Z', { allowVolumeExpansion: true }),
      sc('fixed', '2026-01-01T00:00:00Z'),
    ),
  );
  const sized = (storageClassName: string, storage: string, phase = 'Bound') =>
    claim({ storageClassName, resources: { requests: { storage } } }, phase);

  it('lets a bound claim of an expandable class grow, and any claim keep or shrink its size', () => {
    expect(() =>
      plugin.admitUpdate(claimType, sized('expandable', '2Gi'), sized('expandable', '1Gi')),
    ).not.toThrow();
    expect(() =>
      plugin.admitUpdate(claimType, sized('fixed', '1Gi'), sized('fixed', '2Gi')),
    ).not.toThrow();
    expect(() =>
      plugin.admitUpdate(claimType, sized('fixed', '1024Mi'), sized('fixed', '1Gi')),
    ).not.toThrow();
  });

  it("refuses growth with upstream's Forbidden messages", () => {
    expect(() =>
      plugin.admitUpdate(claimType, sized('fixed', '2Gi'), sized('fixed', '1Gi')),
    ).toThrow(
      'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    expect(() => plugin.admitUpdate(claimType, sized('gone', '2Gi'), sized('gone', '1Gi'))).toThrow(
      'must support resize',
    );
    expect(() =>
      plugin.admitUpdate(
        claimType,
        sized('expandable', '2Gi', 'Pending'),
        sized('expandable', '1Gi', 'Pending'),
      ),
    ).toThrow(
      'persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded',
    );
  });
});

describe('StorageObjectInUseProtection admission', () => {
  const plugin = new StorageObjectInUseProtectionAdmission();
  const pvType = { group: '', kind: 'PersistentVolume' } as ResourceType;
  const obj = (finalizers?: string[]): KubeObject => ({ metadata: { name: 'x', finalizers } });

  it('protects new claims and volumes with their finalizer, once, keeping the others', () => {
    const pvc = obj(['example.com/keep']);
    plugin.admit(claimType, pvc);
    expect(pvc.metadata.finalizers).toEqual(['example.com/keep', 'kubernetes.io/pvc-protection']);
    plugin.admit(claimType, pvc);
    expect(pvc.metadata.finalizers).toHaveLength(2);
    const pv = obj();
    plugin.admit(pvType, pv);
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
  });

  it('leaves other kinds alone', () => {
    const pod = obj();
    plugin.admit(podType, pod);
    expect(pod.metadata.finalizers).toBeUndefined();
  });
});

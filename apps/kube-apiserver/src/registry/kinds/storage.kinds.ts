import { isDefaultStorageClass } from '@app/csi';
import type { KubeObject } from '../../object/types';
import { isPlainObject } from '../../object/types';
import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, accessModes, column, wide } from '../../tables/columns';
import { getArray, getPath, getString } from '../object-path';
import { validatePvcUpdate } from './pvc-update-validation';

export const persistentVolumeKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  kind: 'PersistentVolume',
  scope: 'Cluster',
  shortNames: ['pv'],
  subresources: ['status'],
  columns: [
    NAME_COLUMN,
    column('Capacity', (o) => getString(o, 'spec.capacity.storage') ?? ''),
    column('Access Modes', (o) => accessModes(getPath(o, 'spec.accessModes'))),
    column('Reclaim Policy', (o) => getString(o, 'spec.persistentVolumeReclaimPolicy')),
    column('Status', (o) => getString(o, 'status.phase')),
    column('Claim', (o) => {
      const ref = getPath(o, 'spec.claimRef');
      return isPlainObject(ref) ? `${String(ref.namespace)}/${String(ref.name)}` : '';
    }),
    column('StorageClass', (o) => getString(o, 'spec.storageClassName') ?? ''),
    column(
      'VolumeAttributesClass',
      (o) => getString(o, 'spec.volumeAttributesClassName') ?? '<unset>',
    ),
    column('Reason', (o) => getString(o, 'status.reason') ?? ''),
    AGE_COLUMN,
    wide('VolumeMode', (o) => getString(o, 'spec.volumeMode') ?? 'Filesystem'),
  ],
  defaultOnCreate(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    obj.spec = { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', ...spec };
    obj.status = { phase: 'Pending' };
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const persistentVolumeClaimKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  scope: 'Namespaced',
  shortNames: ['pvc'],
  subresources: ['status'],
  listStrategies: { 'status.conditions': { key: 'type' } },
  columns: [
    NAME_COLUMN,
    column('Status', (o) => getString(o, 'status.phase')),
    column('Volume', (o) => getString(o, 'spec.volumeName') ?? ''),
    column('Capacity', (o) => getString(o, 'status.capacity.storage') ?? ''),
    column('Access Modes', (o) => accessModes(getPath(o, 'status.accessModes'))),
    column('StorageClass', (o) => getString(o, 'spec.storageClassName') ?? ''),
    column(
      'VolumeAttributesClass',
      (o) => getString(o, 'spec.volumeAttributesClassName') ?? '<unset>',
    ),
    AGE_COLUMN,
    wide('VolumeMode', (o) => getString(o, 'spec.volumeMode') ?? 'Filesystem'),
  ],
  defaultOnCreate(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    obj.spec = { volumeMode: 'Filesystem', ...spec };
    obj.status = { phase: 'Pending' };
  },
  validate: (obj, old) => [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...(old ? validatePvcUpdate(obj, old) : []),
  ],
});

function storageClassName(o: KubeObject): string {
  return `${o.metadata.name ?? ''}${isDefaultStorageClass(o) ? ' (default)' : ''}`;
}

export const storageClassKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  scope: 'Cluster',
  shortNames: ['sc'],
  columns: [
    { ...NAME_COLUMN, cell: storageClassName },
    column('Provisioner', (o) => o.provisioner),
    column('ReclaimPolicy', (o) => o.reclaimPolicy ?? 'Delete'),
    column('VolumeBindingMode', (o) => o.volumeBindingMode ?? 'Immediate'),
    column('AllowVolumeExpansion', (o) => o.allowVolumeExpansion === true, { type: 'boolean' }),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    obj.reclaimPolicy ??= 'Delete';
    obj.volumeBindingMode ??= 'Immediate';
  },
  validate: (obj) => [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...(obj.provisioner
      ? []
      : [{ field: 'provisioner', message: 'Required value', reason: 'FieldValueRequired' }]),
  ],
});

export const volumeAttachmentKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'volumeattachments',
  kind: 'VolumeAttachment',
  scope: 'Cluster',
  subresources: ['status'],
  columns: [
    NAME_COLUMN,
    column('Attacher', (o) => getString(o, 'spec.attacher')),
    column('PV', (o) => getString(o, 'spec.source.persistentVolumeName') ?? ''),
    column('Node', (o) => getString(o, 'spec.nodeName')),
    column('Attached', (o) => getPath(o, 'status.attached') === true, { type: 'boolean' }),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    // VolumeAttachmentStatus.attached has no omitempty: a new object reads `attached: false`.
    obj.status = { attached: false };
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const csiDriverKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'csidrivers',
  kind: 'CSIDriver',
  scope: 'Cluster',
  columns: [
    NAME_COLUMN,
    column('AttachRequired', (o) => getPath(o, 'spec.attachRequired') !== false, {
      type: 'boolean',
    }),
    column('PodInfoOnMount', (o) => getPath(o, 'spec.podInfoOnMount') === true, {
      type: 'boolean',
    }),
    column('StorageCapacity', (o) => getPath(o, 'spec.storageCapacity') === true, {
      type: 'boolean',
    }),
    column('Modes', (o) =>
      ((getPath(o, 'spec.volumeLifecycleModes') as string[] | undefined) ?? ['Persistent']).join(
        ',',
      ),
    ),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    obj.spec = {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: 'ReadWriteOnceWithFSType',
      requiresRepublish: false,
      seLinuxMount: false,
      volumeLifecycleModes: ['Persistent'],
      ...spec,
    };
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const csiNodeKind = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'csinodes',
  kind: 'CSINode',
  scope: 'Cluster',
  listStrategies: { 'spec.drivers': { key: 'name' } },
  columns: [
    NAME_COLUMN,
    column('Drivers', (o) => getArray(o, 'spec.drivers').length, { type: 'integer' }),
    AGE_COLUMN,
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

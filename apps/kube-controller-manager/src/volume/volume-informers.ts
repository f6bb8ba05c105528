import type {
  CsiDriverObject,
  PersistentVolumeClaimObject,
  PersistentVolumeObject,
  SharedInformers,
  StorageClassObject,
  VolumeAttachmentObject,
} from '@app/kube-client';

/** The storage informers the volume controllers share (one watch per resource). */
export const volumeInformers = (i: SharedInformers) => ({
  claims: () => i.informer<PersistentVolumeClaimObject>('/api/v1/persistentvolumeclaims'),
  volumes: () => i.informer<PersistentVolumeObject>('/api/v1/persistentvolumes'),
  classes: () => i.informer<StorageClassObject>('/apis/storage.k8s.io/v1/storageclasses'),
  attachments: () =>
    i.informer<VolumeAttachmentObject>('/apis/storage.k8s.io/v1/volumeattachments'),
  drivers: () => i.informer<CsiDriverObject>('/apis/storage.k8s.io/v1/csidrivers'),
});

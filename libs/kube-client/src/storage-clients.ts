import type {
  CoreV1Api,
  StorageV1Api,
  V1CSIDriver,
  V1CSINode,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
  V1VolumeAttachment,
} from '@kubernetes/client-node';
import { contentType, type PatchType } from './patch-type';

/** The PersistentVolumeClaim calls of the provisioner and the resizer. */
export class PersistentVolumeClaimClient {
  constructor(private readonly core: CoreV1Api) {}

  get(namespace: string, name: string): Promise<V1PersistentVolumeClaim> {
    return this.core.readNamespacedPersistentVolumeClaim({ namespace, name });
  }

  patch(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1PersistentVolumeClaim> {
    return this.core.patchNamespacedPersistentVolumeClaim(
      { namespace, name, body },
      contentType(type),
    );
  }

  patchStatus(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1PersistentVolumeClaim> {
    return this.core.patchNamespacedPersistentVolumeClaimStatus(
      { namespace, name, body },
      contentType(type),
    );
  }
}

export class PersistentVolumeClient {
  constructor(private readonly core: CoreV1Api) {}

  get(name: string): Promise<V1PersistentVolume> {
    return this.core.readPersistentVolume({ name });
  }

  create(volume: V1PersistentVolume): Promise<V1PersistentVolume> {
    return this.core.createPersistentVolume({ body: volume });
  }

  patch(name: string, body: object, type: PatchType = 'merge'): Promise<V1PersistentVolume> {
    return this.core.patchPersistentVolume({ name, body }, contentType(type));
  }

  async delete(name: string): Promise<void> {
    await this.core.deletePersistentVolume({ name });
  }
}

export class VolumeAttachmentClient {
  constructor(private readonly storage: StorageV1Api) {}

  get(name: string): Promise<V1VolumeAttachment> {
    return this.storage.readVolumeAttachment({ name });
  }

  create(attachment: V1VolumeAttachment): Promise<V1VolumeAttachment> {
    return this.storage.createVolumeAttachment({ body: attachment });
  }

  patch(name: string, body: object, type: PatchType = 'merge'): Promise<V1VolumeAttachment> {
    return this.storage.patchVolumeAttachment({ name, body }, contentType(type));
  }

  patchStatus(name: string, body: object, type: PatchType = 'merge'): Promise<V1VolumeAttachment> {
    return this.storage.patchVolumeAttachmentStatus({ name, body }, contentType(type));
  }

  async delete(name: string): Promise<void> {
    await this.storage.deleteVolumeAttachment({ name });
  }
}

export class CsiNodeClient {
  constructor(private readonly storage: StorageV1Api) {}

  get(name: string): Promise<V1CSINode> {
    return this.storage.readCSINode({ name });
  }

  create(csiNode: V1CSINode): Promise<V1CSINode> {
    return this.storage.createCSINode({ body: csiNode });
  }

  patch(name: string, body: object, type: PatchType = 'strategic'): Promise<V1CSINode> {
    return this.storage.patchCSINode({ name, body }, contentType(type));
  }
}

/** CSIDriver and StorageClass objects (created once, never updated by Nimbus). */
export class StorageObjectsClient {
  constructor(private readonly storage: StorageV1Api) {}

  readCsiDriver(name: string): Promise<V1CSIDriver> {
    return this.storage.readCSIDriver({ name });
  }

  createCsiDriver(driver: V1CSIDriver): Promise<V1CSIDriver> {
    return this.storage.createCSIDriver({ body: driver });
  }

  readStorageClass(name: string): Promise<V1StorageClass> {
    return this.storage.readStorageClass({ name });
  }

  async listStorageClasses(): Promise<V1StorageClass[]> {
    return (await this.storage.listStorageClass()).items;
  }

  createStorageClass(storageClass: V1StorageClass): Promise<V1StorageClass> {
    return this.storage.createStorageClass({ body: storageClass });
  }
}

/** The storage calls of the CSI sidecars, grouped like the client-go typed clients. */
export class StorageClients {
  readonly claims: PersistentVolumeClaimClient;
  readonly volumes: PersistentVolumeClient;
  readonly attachments: VolumeAttachmentClient;
  readonly csiNodes: CsiNodeClient;
  readonly objects: StorageObjectsClient;

  constructor(core: CoreV1Api, storage: StorageV1Api) {
    this.claims = new PersistentVolumeClaimClient(core);
    this.volumes = new PersistentVolumeClient(core);
    this.attachments = new VolumeAttachmentClient(storage);
    this.csiNodes = new CsiNodeClient(storage);
    this.objects = new StorageObjectsClient(storage);
  }
}

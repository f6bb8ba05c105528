import type {
  V1CSIDriver,
  V1CSINode,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
  V1VolumeAttachment,
} from '@kubernetes/client-node';
import type { KubeRest } from './kube-rest';
import type { PatchType } from './patch-type';

const segment = encodeURIComponent;
const CORE = '/api/v1';
const STORAGE = '/apis/storage.k8s.io/v1';

// Every client sends and returns plain JSON through KubeRest (the shape the informers deliver).

/** The PersistentVolumeClaim calls of the provisioner and the resizer. */
export class PersistentVolumeClaimClient {
  constructor(private readonly rest: KubeRest) {}

  private path(namespace: string, name: string): string {
    return `${CORE}/namespaces/${segment(namespace)}/persistentvolumeclaims/${segment(name)}`;
  }

  get(namespace: string, name: string): Promise<V1PersistentVolumeClaim> {
    return this.rest.get(this.path(namespace, name));
  }

  patch(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1PersistentVolumeClaim> {
    return this.rest.patch(this.path(namespace, name), body, type);
  }

  patchStatus(
    namespace: string,
    name: string,
    body: object,
    type: PatchType = 'merge',
  ): Promise<V1PersistentVolumeClaim> {
    return this.rest.patch(`${this.path(namespace, name)}/status`, body, type);
  }
}

/** A cluster-scoped resource's get, create, patch and delete at `base`. */
class ClusterScoped<T> {
  constructor(
    protected readonly rest: KubeRest,
    private readonly base: string,
    private readonly defaultPatch: PatchType,
  ) {}

  protected path(name: string): string {
    return `${this.base}/${segment(name)}`;
  }

  get(name: string): Promise<T> {
    return this.rest.get(this.path(name));
  }

  create(object: T): Promise<T> {
    return this.rest.create(this.base, object);
  }

  patch(name: string, body: object, type: PatchType = this.defaultPatch): Promise<T> {
    return this.rest.patch(this.path(name), body, type);
  }

  async delete(name: string): Promise<void> {
    await this.rest.delete(this.path(name));
  }
}

/** PersistentVolumes (the provisioner creates and deletes them). */
export class PersistentVolumeClient extends ClusterScoped<V1PersistentVolume> {
  constructor(rest: KubeRest) {
    super(rest, `${CORE}/persistentvolumes`, 'merge');
  }
}

/** VolumeAttachments (the attacher), with their status. */
export class VolumeAttachmentClient extends ClusterScoped<V1VolumeAttachment> {
  constructor(rest: KubeRest) {
    super(rest, `${STORAGE}/volumeattachments`, 'merge');
  }

  patchStatus(name: string, body: object, type: PatchType = 'merge'): Promise<V1VolumeAttachment> {
    return this.rest.patch(`${this.path(name)}/status`, body, type);
  }
}

/** CSINode objects (the node registrar). */
export class CsiNodeClient extends ClusterScoped<V1CSINode> {
  constructor(rest: KubeRest) {
    super(rest, `${STORAGE}/csinodes`, 'strategic');
  }
}

/** CSIDriver and StorageClass objects (created once, never updated by Nimbus). */
export class StorageObjectsClient {
  constructor(private readonly rest: KubeRest) {}

  readCsiDriver(name: string): Promise<V1CSIDriver> {
    return this.rest.get(`${STORAGE}/csidrivers/${segment(name)}`);
  }

  createCsiDriver(driver: V1CSIDriver): Promise<V1CSIDriver> {
    return this.rest.create(`${STORAGE}/csidrivers`, driver);
  }

  readStorageClass(name: string): Promise<V1StorageClass> {
    return this.rest.get(`${STORAGE}/storageclasses/${segment(name)}`);
  }

  async listStorageClasses(): Promise<V1StorageClass[]> {
    return (await this.rest.get<{ items: V1StorageClass[] }>(`${STORAGE}/storageclasses`)).items;
  }

  createStorageClass(storageClass: V1StorageClass): Promise<V1StorageClass> {
    return this.rest.create(`${STORAGE}/storageclasses`, storageClass);
  }
}

/** The storage calls of the CSI sidecars, grouped like the client-go typed clients. */
export class StorageClients {
  readonly claims: PersistentVolumeClaimClient;
  readonly volumes: PersistentVolumeClient;
  readonly attachments: VolumeAttachmentClient;
  readonly csiNodes: CsiNodeClient;
  readonly objects: StorageObjectsClient;

  constructor(rest: KubeRest) {
    this.claims = new PersistentVolumeClaimClient(rest);
    this.volumes = new PersistentVolumeClient(rest);
    this.attachments = new VolumeAttachmentClient(rest);
    this.csiNodes = new CsiNodeClient(rest);
    this.objects = new StorageObjectsClient(rest);
  }
}

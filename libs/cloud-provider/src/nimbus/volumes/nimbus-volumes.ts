import type { InstanceTypeDto, VolumeDto, VolumeTypeDto } from '@app/cloud-contracts';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  IdempotencyKeyReusedError,
  NotFoundError,
  type NimbusCloudClient,
} from '@app/cloud-client';
import type { ProviderNode } from '../../api/types';
import {
  CsiError,
  type CreateVolumeRequest,
  type CsiVolume,
  type ExpandResult,
  type NodeVolumeInfo,
  type VolumeMode,
  type Volumes,
} from '../../api/volumes';
import { labelValue } from '../options';
import { isNimbusProviderID, parseProviderID } from '../provider-id';
import { csiErrorFromCloud } from './cloud-errors';
import {
  DEVICE_PATH_KEY,
  NIMBUS_CSI_DRIVER,
  NIMBUS_ZONE_TOPOLOGY_KEY,
  VOLUME_LABEL_CLUSTER,
  VOLUME_LABEL_PV_NAME,
  VOLUME_LABEL_PVC_NAME,
  VOLUME_LABEL_PVC_NAMESPACE,
  WELL_KNOWN_ZONE_TOPOLOGY_KEY,
} from './csi-driver';
import { needsMultiAttach, parseVolumeParameters } from './volume-parameters';
import { gibToBytes, volumeSizeGiB } from './volume-size';
import { chooseZone, zoneSatisfies } from './zone-choice';

export interface NimbusVolumesOptions {
  clusterName?: string;
  /** Zone of volumes created without any topology requirement; default the first catalog zone. */
  defaultZone?: string;
  /** How long one call may wait for the cloud (create, attach, detach, resize); default 15 s. */
  operationTimeoutMs?: number;
  /**
   * The instance of a node whose providerID is another provider's (an adopted kind or k3s node),
   * found by name as every other lookup does; without it such nodes have no node info.
   */
  findInstance?(
    node: ProviderNode,
  ): Promise<{ id: string; zone: string; instanceType: string } | undefined>;
}

const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

/**
 * The Nimbus block-storage CSI driver's controller side over the cloud's `/v1/volumes`:
 * volume ID = cloud volume ID, node ID = instance ID, zone topology, devices as publish context.
 */
export class NimbusVolumes implements Volumes {
  private readonly volumeTypes: Lazy<VolumeTypeDto[]>;
  private readonly instanceTypes: Lazy<InstanceTypeDto[]>;
  private readonly defaultZone: Lazy<string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: NimbusCloudClient,
    private readonly options: NimbusVolumesOptions = {},
  ) {
    this.timeoutMs = options.operationTimeoutMs ?? 15_000;
    this.volumeTypes = new Lazy(() => client.catalog.volumeTypes());
    this.instanceTypes = new Lazy(() => client.catalog.instanceTypes());
    this.defaultZone = new Lazy(async () => {
      if (options.defaultZone) {
        return options.defaultZone;
      }
      const zones = await client.catalog.zones();
      if (zones.length === 0) {
        throw new CsiError('Unavailable', 'the cloud lists no zones');
      }
      return zones.map((z) => z.name).sort()[0];
    });
  }

  driverName(): string {
    return NIMBUS_CSI_DRIVER;
  }

  topologyKeys(): string[] {
    return [NIMBUS_ZONE_TOPOLOGY_KEY, WELL_KNOWN_ZONE_TOPOLOGY_KEY];
  }

  async createVolume(request: CreateVolumeRequest): Promise<CsiVolume> {
    const what = `could not create volume "${request.name}"`;
    const params = parseVolumeParameters(request.parameters);
    const type = await this.volumeType(params.type);
    const sizeGiB = volumeSizeGiB(request.requiredBytes, type);
    const multiAttach = needsMultiAttach(request.accessModes);
    if (multiAttach && !type.multiAttach) {
      throw new CsiError(
        'InvalidArgument',
        `volume type "${type.name}" cannot be attached to several nodes (access modes ${request.accessModes.join(', ')})`,
      );
    }
    try {
      // The claim UID as Idempotency-Key makes a retried create (lost answer, crash) replay the
      // first one; the unique name catches what the key cannot (another key, other parameters).
      const zone = await chooseZone(request.accessibilityRequirements, () =>
        this.defaultZone.get(),
      );
      try {
        const { volume } = await this.client.volumes.create(
          {
            name: request.name,
            zone,
            sizeGiB,
            type: type.name,
            multiAttach: multiAttach || undefined,
            labels: this.labels(request),
          },
          { idempotencyKey: request.idempotencyKey },
        );
        return this.csiVolume(await this.until(volume.id, (v) => v.state !== 'creating', volume));
      } catch (error) {
        // Another attempt got there first (or used the key with other parameters): by name.
        if (error instanceof AlreadyExistsError || error instanceof IdempotencyKeyReusedError) {
          const found = await this.client.volumes.findByName(request.name);
          if (found) {
            return await this.adopt(found, request, sizeGiB);
          }
        }
        throw error;
      }
    } catch (error) {
      throw csiErrorFromCloud(error, what);
    }
  }

  async deleteVolume(volumeId: string): Promise<void> {
    try {
      await this.client.volumes.delete(volumeId);
    } catch (error) {
      if (error instanceof NotFoundError) {
        return;
      }
      throw csiErrorFromCloud(error, `could not delete volume "${volumeId}"`);
    }
  }

  async controllerPublishVolume(
    volumeId: string,
    nodeId: string,
    _readOnly: boolean,
  ): Promise<Record<string, string>> {
    const what = `could not attach volume "${volumeId}" to node "${nodeId}"`;
    try {
      const { operation, volume: answered } = await this.client.volumes.attach(volumeId, nodeId);
      const volume = await this.until(
        volumeId,
        (v) => {
          const attachment = v.attachments.find((a) => a.instanceId === nodeId);
          return attachment === undefined || attachment.state === 'attached';
        },
        answered,
      );
      const attachment = volume.attachments.find((a) => a.instanceId === nodeId);
      if (!attachment) {
        // The attach operation failed (it leaves no attachment): its problem says why.
        await this.client.operations.wait(operation.id, { timeoutMs: this.timeoutMs });
        throw new CsiError('Internal', `${what}: the attachment ended before it was attached`);
      }
      return { [DEVICE_PATH_KEY]: attachment.device };
    } catch (error) {
      throw csiErrorFromCloud(error, what);
    }
  }

  async controllerUnpublishVolume(volumeId: string, nodeId: string): Promise<void> {
    let answered: VolumeDto | undefined;
    try {
      answered = (await this.client.volumes.detach(volumeId, nodeId)).volume;
    } catch (error) {
      // Gone, or not attached there: the volume counts as unpublished (CSI spec).
      if (error instanceof NotFoundError || error instanceof FailedPreconditionError) {
        const volume = await this.client.volumes.get(volumeId).catch(() => undefined);
        if (!volume?.attachments.some((a) => a.instanceId === nodeId)) {
          return;
        }
      }
      throw csiErrorFromCloud(error, `could not detach volume "${volumeId}" from node "${nodeId}"`);
    }
    try {
      await this.until(
        volumeId,
        (v) => !v.attachments.some((a) => a.instanceId === nodeId),
        answered,
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        throw csiErrorFromCloud(
          error,
          `could not detach volume "${volumeId}" from node "${nodeId}"`,
        );
      }
    }
  }

  async controllerExpandVolume(
    volumeId: string,
    requiredBytes: bigint,
    volumeMode: VolumeMode,
  ): Promise<ExpandResult> {
    const what = `could not resize volume "${volumeId}"`;
    try {
      const volume = await this.client.volumes.get(volumeId);
      const sizeGiB = volumeSizeGiB(requiredBytes, await this.volumeType(volume.type));
      let current = volume;
      if (sizeGiB > volume.sizeGiB) {
        const { operation, volume: resized } = await this.client.volumes.resize(volumeId, sizeGiB);
        await this.client.operations.wait(operation, {
          pollIntervalMs: 100,
          timeoutMs: this.timeoutMs,
        });
        current = resized;
      }
      return {
        capacityBytes: gibToBytes(current.sizeGiB),
        nodeExpansionRequired: volumeMode !== 'Block',
      };
    } catch (error) {
      throw csiErrorFromCloud(error, what);
    }
  }

  async listPublishedVolumes(): Promise<Map<string, string[]>> {
    const published = new Map<string, string[]>();
    for await (const volume of this.client.volumes.listAll()) {
      const nodes = volume.attachments
        .filter((a) => a.state === 'attached')
        .map((a) => a.instanceId);
      published.set(volume.id, nodes);
    }
    return published;
  }

  async nodeInfo(node: ProviderNode): Promise<NodeVolumeInfo> {
    const providerID = node.spec?.providerID ?? '';
    if (providerID === '') {
      throw new CsiError(
        'FailedPrecondition',
        `node ${node.metadata?.name ?? ''} has no providerID`,
      );
    }
    if (!isNimbusProviderID(providerID)) {
      // Another provider's ID (kind://, k3s://) never changes: the node's instance is found by name.
      const instance = await this.options.findInstance?.(node);
      if (!instance) {
        throw new CsiError(
          'FailedPrecondition',
          `node ${node.metadata?.name ?? ''} has providerID "${providerID}" and no Nimbus instance of its name`,
        );
      }
      return this.nodeVolumeInfo(instance.id, instance.zone, instance.instanceType);
    }
    const parsed = parseProviderID(providerID);
    let zone = parsed.zone;
    let instanceType = node.metadata?.labels?.[INSTANCE_TYPE_LABEL];
    if (!zone || !instanceType) {
      const instance = await this.client.instances.get(parsed.instanceId);
      zone = instance.zone;
      instanceType = instance.instanceType;
    }
    return this.nodeVolumeInfo(parsed.instanceId, zone, instanceType);
  }

  private async nodeVolumeInfo(
    instanceId: string,
    zone: string,
    instanceType: string,
  ): Promise<NodeVolumeInfo> {
    return {
      nodeId: instanceId,
      maxVolumesPerNode: await this.maxAttachedVolumes(instanceType),
      accessibleTopology: {
        [NIMBUS_ZONE_TOPOLOGY_KEY]: zone,
        [WELL_KNOWN_ZONE_TOPOLOGY_KEY]: zone,
      },
    };
  }

  /** An existing volume of this name: ours if it fits the request, else AlreadyExists. */
  private async adopt(
    volume: VolumeDto,
    request: CreateVolumeRequest,
    sizeGiB: number,
  ): Promise<CsiVolume> {
    if (
      volume.sizeGiB < sizeGiB ||
      !zoneSatisfies(volume.zone, request.accessibilityRequirements)
    ) {
      throw new CsiError(
        'AlreadyExists',
        `volume "${request.name}" already exists (${volume.id}, ${volume.sizeGiB}GiB in ${volume.zone}) and does not fit the request`,
      );
    }
    return this.csiVolume(
      volume.state === 'creating'
        ? await this.until(volume.id, (v) => v.state !== 'creating')
        : volume,
    );
  }

  private csiVolume(volume: VolumeDto): CsiVolume {
    if (volume.state === 'error') {
      throw new CsiError('Internal', `volume ${volume.id} is in state "error"`);
    }
    return {
      volumeId: volume.id,
      capacityBytes: gibToBytes(volume.sizeGiB),
      volumeContext: {},
      accessibleTopology: [{ [WELL_KNOWN_ZONE_TOPOLOGY_KEY]: volume.zone }],
    };
  }

  private labels(request: CreateVolumeRequest): Record<string, string> {
    const labels: Record<string, string> = {};
    const put = (key: string, value: string | undefined) => {
      const cleaned = value === undefined ? '' : labelValue(value);
      if (cleaned !== '') {
        labels[key] = cleaned;
      }
    };
    put(VOLUME_LABEL_CLUSTER, this.options.clusterName);
    put(VOLUME_LABEL_PVC_NAME, request.metadata?.pvcName);
    put(VOLUME_LABEL_PVC_NAMESPACE, request.metadata?.pvcNamespace);
    put(VOLUME_LABEL_PV_NAME, request.metadata?.pvName ?? request.name);
    return labels;
  }

  /**
   * Polls the volume (50 ms doubling to 1 s) until `done`, starting with the state a mutation
   * answered (settled already when the cloud's transitions are instant); DeadlineExceeded after
   * the timeout.
   */
  private async until(
    volumeId: string,
    done: (v: VolumeDto) => boolean,
    answered?: VolumeDto,
  ): Promise<VolumeDto> {
    if (answered && done(answered)) {
      return answered;
    }
    const clock = this.client.http.clock;
    const deadline = clock.now() + this.timeoutMs;
    let delay = 50;
    for (;;) {
      const volume = await this.client.volumes.get(volumeId);
      if (done(volume)) {
        return volume;
      }
      if (clock.now() >= deadline) {
        throw new CsiError(
          'DeadlineExceeded',
          `volume ${volumeId} is still "${volume.state}" after ${this.timeoutMs} ms`,
        );
      }
      await this.client.http.sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }

  private async volumeType(name: string): Promise<VolumeTypeDto> {
    const types = await this.volumeTypes.get();
    const type = types.find((t) => t.name === name);
    if (!type) {
      throw new CsiError(
        'InvalidArgument',
        `unknown volume type "${name}" (the cloud has ${types.map((t) => t.name).join(', ')})`,
      );
    }
    return type;
  }

  private async maxAttachedVolumes(instanceType: string): Promise<number> {
    let types = await this.instanceTypes.get();
    if (!types.some((t) => t.name === instanceType)) {
      this.instanceTypes.reset(); // a catalog reloaded with new types
      types = await this.instanceTypes.get();
    }
    const type = types.find((t) => t.name === instanceType);
    if (!type) {
      throw new CsiError('NotFound', `unknown instance type "${instanceType}"`);
    }
    return type.maxAttachedVolumes;
  }
}

/** A catalog answer fetched once; a failed fetch is tried again on the next use. */
class Lazy<T> {
  private value?: Promise<T>;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    this.value ??= this.load().catch((error: unknown) => {
      this.value = undefined;
      throw error;
    });
    return this.value;
  }

  reset(): void {
    this.value = undefined;
  }
}

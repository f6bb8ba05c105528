import { CloudProviderError, errorAs } from './errors';
import type { ProviderNode } from './types';

/*
 * The block-storage side of a cloud, shaped like the CSI Controller service (plus the node's
 * NodeGetInfo), because the volume controllers behave like the CSI sidecars that call those RPCs
 * (external-provisioner, -attacher, -resizer). k8s.io/cloud-provider has no volume interface:
 * upstream, a CSI driver talks to its cloud directly. Errors carry the gRPC status code the
 * sidecars branch on (final or not, reschedule, infeasible).
 */

/** gRPC status codes a CSI driver answers with (the names of google.golang.org/grpc/codes). */
export type CsiCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'ResourceExhausted'
  | 'OutOfRange'
  | 'Aborted'
  | 'Unavailable'
  | 'DeadlineExceeded'
  | 'Internal'
  | 'Unimplemented';

/**
 * A CSI RPC error. `message` reads like a gRPC status error as the sidecars print it
 * (`rpc error: code = FailedPrecondition desc = …`), which is what users see in events and in
 * VolumeAttachment errors of real clusters.
 */
export class CsiError extends CloudProviderError {
  constructor(
    readonly code: CsiCode,
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(`rpc error: code = ${code} desc = ${description}`, options);
  }
}

/** The CSI code of an error, if it is (or wraps) a CsiError. */
export const csiCodeOf = (error: unknown): CsiCode | undefined => errorAs(error, CsiError)?.code;

/** One topology segment set, e.g. `{ 'topology.kubernetes.io/zone': 'nimbus-1a' }`. */
export type TopologySegments = Record<string, string>;

/** CSI TopologyRequirement: where the volume must (requisite) and should (preferred) be. */
export interface TopologyRequirement {
  requisite: TopologySegments[];
  preferred: TopologySegments[];
}

export type VolumeMode = 'Filesystem' | 'Block';

export interface CreateVolumeRequest {
  /** Unique per volume and stable across retries (`pvc-<claim uid>`): the idempotency of CSI. */
  name: string;
  /** `capacity_range.required_bytes`; the volume may be larger (rounded to the cloud's unit). */
  requiredBytes: bigint;
  /** StorageClass parameters without the `csi.storage.k8s.io/` ones. */
  parameters: Record<string, string>;
  /** Kubernetes access modes of the claim (ReadWriteOnce, ReadWriteMany, …). */
  accessModes: string[];
  volumeMode: VolumeMode;
  accessibilityRequirements?: TopologyRequirement;
  /** Sent as the cloud call's idempotency key (the claim UID), so a crash-retry creates once. */
  idempotencyKey?: string;
  /** Metadata for the cloud volume's labels (external-provisioner's `--extra-create-metadata`). */
  metadata?: { pvcName?: string; pvcNamespace?: string; pvName?: string };
}

export interface CsiVolume {
  volumeId: string;
  capacityBytes: bigint;
  /** Copied into the PV's `spec.csi.volumeAttributes`. */
  volumeContext: Record<string, string>;
  /** Where the volume can be used: the PV's node affinity. */
  accessibleTopology: TopologySegments[];
}

export interface ExpandResult {
  capacityBytes: bigint;
  /** True when the file system must still be grown on the node (NodeExpandVolume). */
  nodeExpansionRequired: boolean;
}

/** What the CSI node plugin would answer in NodeGetInfo (published on CSINode by Nimbus). */
export interface NodeVolumeInfo {
  nodeId: string;
  /** `max_volumes_per_node`: CSINode `allocatable.count`. */
  maxVolumesPerNode: number;
  accessibleTopology: TopologySegments;
}

export interface Volumes {
  /** The CSI driver name (GetPluginInfo), e.g. `disk.csi.nimbus.dev`. */
  driverName(): string;
  /** Topology keys the node plugin publishes (CSINode `topologyKeys`). */
  topologyKeys(): string[];
  /** Idempotent by name: a volume of that name is returned when it fits, AlreadyExists when not. */
  createVolume(request: CreateVolumeRequest): Promise<CsiVolume>;
  /** A missing volume is success; an attached one is FailedPrecondition. */
  deleteVolume(volumeId: string): Promise<void>;
  /** Attaches and waits until attached; answers the publish context (`devicePath`). */
  controllerPublishVolume(
    volumeId: string,
    nodeId: string,
    readOnly: boolean,
  ): Promise<Record<string, string>>;
  /** Detaches and waits until detached; a volume or node that is gone, or not attached, is success. */
  controllerUnpublishVolume(volumeId: string, nodeId: string): Promise<void>;
  controllerExpandVolume(
    volumeId: string,
    requiredBytes: bigint,
    volumeMode: VolumeMode,
  ): Promise<ExpandResult>;
  /** ListVolumes with published node IDs: volume ID → node IDs it is attached to. */
  listPublishedVolumes(): Promise<Map<string, string[]>>;
  /** NodeGetInfo for a node (Nimbus has no node plugin; the controller publishes this). */
  nodeInfo(node: ProviderNode): Promise<NodeVolumeInfo>;
}

import type {
  V1CSINode,
  V1Namespace,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1ReplicaSet,
  V1ReplicationController,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
} from '@app/kube-client';
import type { Scheduler } from '@app/controller-runtime';
import type { NodeInfo } from '../cache/node-info';
import type { VolumeApi } from '../plugins/volumes/volume-binding';
import type { PodInfo } from '../cache/pod-info';
import type { SchedulerCache } from '../cache/scheduler-cache';
import type { ClusterEvent } from './cluster-event';
import type { Diagnosis } from './fit-error';
import type { Status } from './status';

/** Read access to the informer caches plugins consult (client-go listers). */
export interface Listers {
  services(namespace: string): readonly V1Service[];
  replicationController(namespace: string, name: string): V1ReplicationController | undefined;
  replicaSet(namespace: string, name: string): V1ReplicaSet | undefined;
  statefulSet(namespace: string, name: string): V1StatefulSet | undefined;
  namespace(name: string): V1Namespace | undefined;
  namespaces(): readonly V1Namespace[];
  persistentVolumeClaim(namespace: string, name: string): V1PersistentVolumeClaim | undefined;
  persistentVolume(name: string): V1PersistentVolume | undefined;
  persistentVolumes(): readonly V1PersistentVolume[];
  storageClass(name: string): V1StorageClass | undefined;
  csiNode(name: string): V1CSINode | undefined;
}

/** framework.Handle: what plugins get at construction. */
export interface Handle {
  cache: SchedulerCache;
  listers: Listers;
  /** Writes VolumeBinding's PreBind makes; without them it binds nothing (unit tests). */
  volumes?: VolumeApi;
  /** Time for waits in binding cycles. */
  time?: Scheduler;
}

/** framework.CycleState: per-attempt data plugins pass from PreFilter/PreScore to later points. */
export type CycleState = Map<string, unknown>;

export interface Plugin {
  readonly name: string;
}

/** Scheduling gates: a pod is only queued once every PreEnqueue plugin admits it. */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: PodInfo): Status | undefined;
}

/** A PreFilter may narrow the nodes to consider (NodeAffinity's matchFields metadata.name). */
export interface PreFilterResult {
  nodeNames: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** A Status rejects the pod (or Skip drops this plugin's Filter); a result narrows the nodes. */
  preFilter(
    state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
  ): Status | PreFilterResult | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
}

export interface PostFilterResult {
  status: Status | undefined;
  /** Set when preemption nominated a node (`status.nominatedNodeName`). */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    nodes: readonly NodeInfo[],
  ): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  /** Skip leaves this plugin out of scoring for the pod. */
  preScore(
    state: CycleState,
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    all: readonly NodeInfo[],
  ): Status | undefined;
}

export interface NodeScore {
  node: NodeInfo;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** 0–100 after normalisation; the framework multiplies by the plugin weight. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

/** Runs before the binding (VolumeBinding writes PV/PVC bindings here). */
export interface PreBindPlugin extends Plugin {
  /** `signal` aborts when the scheduler stops (a long wait must end then). */
  preBind(
    state: CycleState,
    pod: PodInfo,
    nodeName: string,
    signal: AbortSignal,
  ): Promise<Status | undefined>;
}

/**
 * A plugin's interest in cluster events (EnqueueExtensions + QueueingHint): a pod it rejected is
 * moved back to the active (or backoff) queue when one of these happens and the hint, if any,
 * says the change may make the pod schedulable.
 */
export interface EventRegistration {
  event: ClusterEvent;
  hint?(pod: PodInfo, oldObj: unknown, newObj: unknown): boolean;
}

export interface EnqueueExtensions extends Plugin {
  events(): EventRegistration[];
}

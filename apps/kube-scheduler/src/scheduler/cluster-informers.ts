import type { Scheduler } from '@app/controller-runtime';
import {
  resourceInformer,
  servedResources,
  type InformerAdapter,
  type KubeConfig,
  type KubernetesObject,
  type V1CSINode,
  type V1Namespace,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1ReplicaSet,
  type V1ReplicationController,
  type V1Service,
  type V1StatefulSet,
  type V1StorageClass,
  type WatchedResource,
} from '@app/kube-client';

/** The scheduler's pod informer leaves finished pods out (they hold no resources). */
export const POD_FIELD_SELECTOR = 'status.phase!=Succeeded,status.phase!=Failed';

/** Kinds a minimal api-server may not serve; informers for them start only when it does. */
const OPTIONAL: WatchedResource[] = [
  'replicationcontrollers',
  'replicasets',
  'statefulsets',
  'persistentvolumeclaims',
  'persistentvolumes',
  'storageclasses',
  'csinodes',
];

/** The informers kube-scheduler runs (its SharedInformerFactory). */
export class ClusterInformers {
  private constructor(
    readonly pods: InformerAdapter<V1Pod>,
    readonly nodes: InformerAdapter<V1Node>,
    readonly namespaces: InformerAdapter<V1Namespace>,
    readonly services: InformerAdapter<V1Service>,
    readonly replicationControllers: InformerAdapter<V1ReplicationController> | undefined,
    readonly replicaSets: InformerAdapter<V1ReplicaSet> | undefined,
    readonly statefulSets: InformerAdapter<V1StatefulSet> | undefined,
    readonly persistentVolumeClaims: InformerAdapter<V1PersistentVolumeClaim> | undefined,
    readonly persistentVolumes: InformerAdapter<V1PersistentVolume> | undefined,
    readonly storageClasses: InformerAdapter<V1StorageClass> | undefined,
    readonly csiNodes: InformerAdapter<V1CSINode> | undefined,
  ) {}

  static async create(
    kc: KubeConfig,
    options: { scheduler: Scheduler; onError(resource: string, err: unknown): void },
  ): Promise<ClusterInformers> {
    const served = await servedResources(kc, OPTIONAL);
    const make = <T extends KubernetesObject>(resource: WatchedResource, fieldSelector?: string) =>
      resourceInformer<T>(kc, resource, {
        scheduler: options.scheduler,
        fieldSelector,
        onError: (err) => options.onError(resource, err),
      });
    const optional = <T extends KubernetesObject>(resource: WatchedResource) =>
      served.has(resource) ? make<T>(resource) : undefined;
    return new ClusterInformers(
      make<V1Pod>('pods', POD_FIELD_SELECTOR),
      make<V1Node>('nodes'),
      make<V1Namespace>('namespaces'),
      make<V1Service>('services'),
      optional<V1ReplicationController>('replicationcontrollers'),
      optional<V1ReplicaSet>('replicasets'),
      optional<V1StatefulSet>('statefulsets'),
      optional<V1PersistentVolumeClaim>('persistentvolumeclaims'),
      optional<V1PersistentVolume>('persistentvolumes'),
      optional<V1StorageClass>('storageclasses'),
      optional<V1CSINode>('csinodes'),
    );
  }

  all(): InformerAdapter<KubernetesObject>[] {
    const all: (InformerAdapter<KubernetesObject> | undefined)[] = [
      this.pods,
      this.nodes,
      this.namespaces,
      this.services,
      this.replicationControllers,
      this.replicaSets,
      this.statefulSets,
      this.persistentVolumeClaims,
      this.persistentVolumes,
      this.storageClasses,
      this.csiNodes,
    ];
    return all.filter((i) => i !== undefined);
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }
}

import type {
  V1CSINode,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
  V1Namespace,
  V1Node,
  V1Pod,
  V1PodSpec,
  V1ReplicaSet,
  V1Service,
  V1Taint,
} from '@app/kube-client';
import { SchedulerCache } from '../cache/scheduler-cache';
import { PodInfo } from '../cache/pod-info';
import { defaultFramework } from '../framework/default-profile';
import type { Framework } from '../framework/framework';
import type { Listers } from '../framework/interfaces';
import type { PreemptionExecutor } from '../plugins/default-preemption';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: V1Taint[];
  unschedulable?: boolean;
  allocatable?: Record<string, string>;
  images?: { names: string[]; sizeBytes: number }[];
}

/** A Ready node with allocatable 4 CPU / 16Gi / 110 pods unless told otherwise. */
export function makeNode(name: string, o: NodeOptions = {}): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: {
        cpu: o.cpu ?? '4',
        memory: o.memory ?? '16Gi',
        pods: o.pods ?? '110',
        ...o.allocatable,
      },
      images: o.images,
    },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  node?: string;
  priority?: number;
  uid?: string;
  spec?: Partial<V1PodSpec>;
}

let uidCounter = 0;

export function makePod(name: string, o: PodOptions = {}): V1Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) {
    requests.cpu = o.cpu;
  }
  if (o.memory) {
    requests.memory = o.memory;
  }
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}-${++uidCounter}`,
      labels: o.labels,
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests } }],
      nodeName: o.node,
      priority: o.priority ?? 0,
      schedulerName: 'default-scheduler',
      ...o.spec,
    },
    status: { phase: 'Pending' },
  };
}

/** In-memory listers (the informer caches plugins consult). */
export class FakeListers implements Listers {
  readonly serviceList: V1Service[] = [];
  readonly replicaSetList: V1ReplicaSet[] = [];
  readonly namespaceList: V1Namespace[] = [];
  readonly pvcList: V1PersistentVolumeClaim[] = [];
  readonly pvList: V1PersistentVolume[] = [];
  readonly storageClassList: V1StorageClass[] = [];
  readonly csiNodeList: V1CSINode[] = [];

  services(namespace: string): V1Service[] {
    return this.serviceList.filter((s) => s.metadata?.namespace === namespace);
  }
  replicationController(): undefined {
    return undefined;
  }
  replicaSet(namespace: string, name: string): V1ReplicaSet | undefined {
    return this.replicaSetList.find(
      (r) => r.metadata?.namespace === namespace && r.metadata?.name === name,
    );
  }
  statefulSet(): undefined {
    return undefined;
  }
  namespace(name: string): V1Namespace | undefined {
    return this.namespaceList.find((n) => n.metadata?.name === name);
  }
  namespaces(): V1Namespace[] {
    return this.namespaceList;
  }
  persistentVolumeClaim(namespace: string, name: string): V1PersistentVolumeClaim | undefined {
    return this.pvcList.find(
      (c) => c.metadata?.namespace === namespace && c.metadata?.name === name,
    );
  }
  persistentVolume(name: string): V1PersistentVolume | undefined {
    return this.pvList.find((v) => v.metadata?.name === name);
  }
  persistentVolumes(): V1PersistentVolume[] {
    return this.pvList;
  }
  storageClass(name: string): V1StorageClass | undefined {
    return this.storageClassList.find((c) => c.metadata?.name === name);
  }
  csiNode(name: string): V1CSINode | undefined {
    return this.csiNodeList.find((c) => c.metadata?.name === name);
  }
}

/** A cache with nodes and bound pods, and the default framework over it. */
export function testCluster(
  nodes: V1Node[],
  pods: V1Pod[] = [],
  options: { random?: () => number; preemption?: PreemptionExecutor; listers?: FakeListers } = {},
): { cache: SchedulerCache; framework: Framework; listers: FakeListers } {
  const cache = new SchedulerCache();
  nodes.forEach((n) => cache.addNode(n));
  pods.forEach((p) => cache.addPod(p));
  const listers = options.listers ?? new FakeListers();
  const framework = defaultFramework(
    { cache, listers },
    { random: options.random ?? (() => 0), preemption: options.preemption },
  );
  return { cache, framework, listers };
}

export const info = (pod: V1Pod): PodInfo => new PodInfo(pod);

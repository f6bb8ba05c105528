import { isPlainObject, type KubeObject } from '../object/types';
import type { ObjectStore } from '../storage/object-store';
import type { CommittedWrite } from '../storage/revision';
import { podReferences, volumeSecrets, type PodReferences } from './pod-references';

/** The kinds a node's access is derived for (graph.go vertexTypes). */
export type VertexType =
  | 'pod'
  | 'secret'
  | 'configmap'
  | 'pvc'
  | 'pv'
  | 'serviceAccount'
  | 'resourceclaim'
  | 'volumeattachment';

const POD_REFERENCE_TYPES: Record<keyof PodReferences, VertexType> = {
  secrets: 'secret',
  configmaps: 'configmap',
  pvcs: 'pvc',
  serviceaccounts: 'serviceAccount',
  resourceclaims: 'resourceclaim',
};

const TYPE_KEYS = {
  pods: '/pods',
  pvs: '/persistentvolumes',
  attachments: 'storage.k8s.io/volumeattachments',
} as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const specOf = (o: KubeObject) => (isPlainObject(o.spec) ? o.spec : {});

/** A multiset of nodes per object: several pods on one node may reference the same Secret. */
class NodeCounts {
  private readonly counts = new Map<string, Map<string, number>>();

  add(key: string, node: string): void {
    const nodes = this.counts.get(key) ?? new Map<string, number>();
    nodes.set(node, (nodes.get(node) ?? 0) + 1);
    this.counts.set(key, nodes);
  }

  remove(key: string, node: string): void {
    const nodes = this.counts.get(key);
    const n = nodes?.get(node) ?? 0;
    if (!nodes || n === 0) {
      return;
    }
    if (n === 1) {
      nodes.delete(node);
    } else {
      nodes.set(node, n - 1);
    }
    if (nodes.size === 0) {
      this.counts.delete(key);
    }
  }

  has(key: string, node: string): boolean {
    return (this.counts.get(key)?.get(node) ?? 0) > 0;
  }
}

interface BoundPod {
  node: string;
  namespace: string;
  refs: PodReferences;
}

interface Volume {
  /** `<namespace>/<name>` of its claimRef. */
  claim: string;
  secrets: string[];
}

/**
 * The Node authorizer's graph (plugin/pkg/auth/authorizer/node/graph.go and graph_populator.go):
 * which node may reach which object through the pods bound to it — node ← pod ← secret,
 * configmap, pvc ← pv ← secret, serviceaccount, resourceclaim; node ← volumeattachment. Built
 * once from the store and kept current from its writes (upstream feeds it from informers), so a
 * request's check is a few map lookups, never a query.
 */
export class NodeGraph {
  private readonly pods = new Map<string, BoundPod>();
  private readonly podRefs = new NodeCounts();
  private readonly volumes = new Map<string, Volume>();
  /** pv name → (secret key) back-references, for secrets reached through volumes. */
  private readonly secretVolumes = new Map<string, Set<string>>();
  private readonly attachments = new Map<string, string>();
  private readonly stop: () => void;

  constructor(store: ObjectStore) {
    for (const s of store.list(TYPE_KEYS.pods)) {
      this.setPod(s.object);
    }
    for (const s of store.list(TYPE_KEYS.pvs)) {
      this.setVolume(s.object);
    }
    for (const s of store.list(TYPE_KEYS.attachments)) {
      this.setAttachment(s.object);
    }
    this.stop = store.onWrite((write) => this.apply(write));
  }

  close(): void {
    this.stop();
  }

  /** One committed write of the store (graph_populator's informer handlers). */
  apply(write: CommittedWrite): void {
    const { typeKey, type } = write.revision;
    const deleted = type === 'DELETED';
    if (typeKey === TYPE_KEYS.pods) {
      if (deleted) {
        this.deletePod(write.object);
      } else {
        this.setPod(write.object);
      }
    } else if (typeKey === TYPE_KEYS.pvs) {
      if (deleted) {
        this.deleteVolume(write.object.metadata.name ?? '');
      } else {
        this.setVolume(write.object);
      }
    } else if (typeKey === TYPE_KEYS.attachments) {
      if (deleted) {
        this.attachments.delete(write.object.metadata.name ?? '');
      } else {
        this.setAttachment(write.object);
      }
    }
  }

  /**
   * Whether there is a path from the object to the node (NodeAuthorizer.hasPathFrom).
   * `namespace` is empty for cluster-scoped kinds.
   */
  hasPathFrom(node: string, type: VertexType, namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    switch (type) {
      case 'pod':
        return this.pods.get(key)?.node === node;
      case 'pv':
        return this.volumeReaches(name, node);
      case 'volumeattachment':
        return this.attachments.get(name) === node;
      case 'secret':
        if (this.podRefs.has(`${type}/${key}`, node)) {
          return true;
        }
        return [...(this.secretVolumes.get(key) ?? [])].some((pv) => this.volumeReaches(pv, node));
      case 'configmap':
      case 'pvc':
      case 'serviceAccount':
      case 'resourceclaim':
        return this.podRefs.has(`${type}/${key}`, node);
    }
  }

  private volumeReaches(pvName: string, node: string): boolean {
    const claim = this.volumes.get(pvName)?.claim;
    return claim !== undefined && this.podRefs.has(`pvc/${claim}`, node);
  }

  private forEachRef(pod: BoundPod, visit: (key: string) => void): void {
    for (const [field, type] of Object.entries(POD_REFERENCE_TYPES)) {
      for (const name of pod.refs[field as keyof PodReferences]) {
        visit(`${type}/${pod.namespace}/${name}`);
      }
    }
  }

  /** AddPod: only pods bound to a node count; a pod's references are replaced as a whole. */
  private setPod(pod: KubeObject): void {
    this.deletePod(pod);
    const node = str(specOf(pod).nodeName);
    if (node === '') {
      return;
    }
    const namespace = pod.metadata.namespace ?? '';
    const bound: BoundPod = { node, namespace, refs: podReferences(pod) };
    this.pods.set(`${namespace}/${pod.metadata.name ?? ''}`, bound);
    this.forEachRef(bound, (key) => this.podRefs.add(key, node));
  }

  private deletePod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const old = this.pods.get(key);
    if (old) {
      this.pods.delete(key);
      this.forEachRef(old, (ref) => this.podRefs.remove(ref, old.node));
    }
  }

  private setVolume(pv: KubeObject): void {
    const name = pv.metadata.name ?? '';
    this.deleteVolume(name);
    const claimRef = specOf(pv).claimRef;
    if (!isPlainObject(claimRef)) {
      return;
    }
    const volume = {
      claim: `${str(claimRef.namespace)}/${str(claimRef.name)}`,
      secrets: volumeSecrets(pv),
    };
    this.volumes.set(name, volume);
    for (const secret of volume.secrets) {
      const pvs = this.secretVolumes.get(secret) ?? new Set<string>();
      pvs.add(name);
      this.secretVolumes.set(secret, pvs);
    }
  }

  private deleteVolume(name: string): void {
    const old = this.volumes.get(name);
    if (!old) {
      return;
    }
    this.volumes.delete(name);
    for (const secret of old.secrets) {
      const pvs = this.secretVolumes.get(secret);
      pvs?.delete(name);
      if (pvs?.size === 0) {
        this.secretVolumes.delete(secret);
      }
    }
  }

  private setAttachment(va: KubeObject): void {
    const node = str(specOf(va).nodeName);
    if (node) {
      this.attachments.set(va.metadata.name ?? '', node);
    } else {
      this.attachments.delete(va.metadata.name ?? '');
    }
  }
}

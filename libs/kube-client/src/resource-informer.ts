import {
  AppsV1Api,
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { isNotFound } from './api-error';
import { InformerAdapter, type InformerAdapterOptions } from './informer-adapter';
import { makeApiClient } from './api-clients';

/** Resources a component can watch through `resourceInformer` (cluster-wide). */
export type WatchedResource =
  | 'pods'
  | 'nodes'
  | 'namespaces'
  | 'services'
  | 'replicationcontrollers'
  | 'persistentvolumeclaims'
  | 'persistentvolumes'
  | 'replicasets'
  | 'statefulsets'
  | 'storageclasses'
  | 'csinodes';

interface Selectors {
  fieldSelector?: string;
  labelSelector?: string;
}

type Lister = (
  kc: KubeConfig,
  selectors: Selectors,
) => () => Promise<KubernetesListObject<KubernetesObject>>;

const core = (kc: KubeConfig) => makeApiClient(kc, CoreV1Api);
const apps = (kc: KubeConfig) => makeApiClient(kc, AppsV1Api);
const storage = (kc: KubeConfig) => makeApiClient(kc, StorageV1Api);

/** Watch path and typed list call per resource (list and watch must use the same selectors). */
const RESOURCES: Record<WatchedResource, { path: string; groupVersion: string; list: Lister }> = {
  pods: {
    path: '/api/v1/pods',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listPodForAllNamespaces(s);
    },
  },
  nodes: {
    path: '/api/v1/nodes',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listNode(s);
    },
  },
  namespaces: {
    path: '/api/v1/namespaces',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listNamespace(s);
    },
  },
  services: {
    path: '/api/v1/services',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listServiceForAllNamespaces(s);
    },
  },
  replicationcontrollers: {
    path: '/api/v1/replicationcontrollers',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listReplicationControllerForAllNamespaces(s);
    },
  },
  persistentvolumeclaims: {
    path: '/api/v1/persistentvolumeclaims',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listPersistentVolumeClaimForAllNamespaces(s);
    },
  },
  persistentvolumes: {
    path: '/api/v1/persistentvolumes',
    groupVersion: 'v1',
    list: (kc, s) => {
      const api = core(kc);
      return () => api.listPersistentVolume(s);
    },
  },
  replicasets: {
    path: '/apis/apps/v1/replicasets',
    groupVersion: 'apps/v1',
    list: (kc, s) => {
      const api = apps(kc);
      return () => api.listReplicaSetForAllNamespaces(s);
    },
  },
  statefulsets: {
    path: '/apis/apps/v1/statefulsets',
    groupVersion: 'apps/v1',
    list: (kc, s) => {
      const api = apps(kc);
      return () => api.listStatefulSetForAllNamespaces(s);
    },
  },
  storageclasses: {
    path: '/apis/storage.k8s.io/v1/storageclasses',
    groupVersion: 'storage.k8s.io/v1',
    list: (kc, s) => {
      const api = storage(kc);
      return () => api.listStorageClass(s);
    },
  },
  csinodes: {
    path: '/apis/storage.k8s.io/v1/csinodes',
    groupVersion: 'storage.k8s.io/v1',
    list: (kc, s) => {
      const api = storage(kc);
      return () => api.listCSINode(s);
    },
  },
};

/**
 * A restarting, cluster-wide informer of one resource (client-go's typed informers), e.g.
 * `resourceInformer<V1Pod>(kc, 'pods', { fieldSelector: 'status.phase!=Succeeded' })`.
 */
export function resourceInformer<T extends KubernetesObject>(
  kc: KubeConfig,
  resource: WatchedResource,
  options: InformerAdapterOptions = {},
): InformerAdapter<T> {
  const spec = RESOURCES[resource];
  const list = spec.list(kc, {
    fieldSelector: options.fieldSelector,
    labelSelector: options.labelSelector,
  }) as () => Promise<KubernetesListObject<T>>;
  return new InformerAdapter<T>(kc, spec.path, list, options);
}

/**
 * Which of `resources` the api-server serves (discovery of their group versions). Lets a component
 * watch kinds a server may not have yet (e.g. apps/v1 on a minimal api-server) without an informer
 * that never syncs.
 */
export async function servedResources(
  kc: KubeConfig,
  resources: readonly WatchedResource[],
): Promise<Set<WatchedResource>> {
  const served = new Set<WatchedResource>();
  const byGroupVersion = new Map<string, WatchedResource[]>();
  for (const r of resources) {
    const gv = RESOURCES[r].groupVersion;
    byGroupVersion.set(gv, [...(byGroupVersion.get(gv) ?? []), r]);
  }
  for (const [gv, wanted] of byGroupVersion) {
    const names = await resourceNamesOf(kc, gv);
    wanted.filter((r) => names.has(r)).forEach((r) => served.add(r));
  }
  return served;
}

async function resourceNamesOf(kc: KubeConfig, groupVersion: string): Promise<Set<string>> {
  try {
    const list =
      groupVersion === 'v1'
        ? await core(kc).getAPIResources()
        : groupVersion === 'apps/v1'
          ? await apps(kc).getAPIResources()
          : await storage(kc).getAPIResources();
    return new Set(list.resources.map((r) => r.name));
  } catch (err) {
    if (isNotFound(err)) {
      return new Set();
    }
    throw err;
  }
}

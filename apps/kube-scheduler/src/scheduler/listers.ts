import type { InformerAdapter, KubernetesObject, V1Service } from '@app/kube-client';
import { isDeletedFinalStateUnknown } from '@app/controller-runtime';
import type { Listers } from '../framework/interfaces';
import type { ClusterInformers } from './cluster-informers';

/** Objects of one informer grouped by namespace (client-go's namespace index). */
class NamespaceIndex<T extends KubernetesObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();

  constructor(informer: InformerAdapter<T>) {
    const put = (o: T) => {
      const ns = o.metadata?.namespace ?? '';
      let m = this.byNamespace.get(ns);
      if (!m) {
        m = new Map();
        this.byNamespace.set(ns, m);
      }
      m.set(o.metadata?.name ?? '', o);
    };
    informer.addEventHandler({
      onAdd: put,
      onUpdate: (_o, n) => put(n),
      onDelete: (o) => {
        const obj = isDeletedFinalStateUnknown(o) ? o.obj : o;
        this.byNamespace.get(obj.metadata?.namespace ?? '')?.delete(obj.metadata?.name ?? '');
      },
    });
  }

  list(namespace: string): T[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }
}

/** Listers over the scheduler's informer caches. */
export function listersOf(informers: ClusterInformers): Listers {
  const services = new NamespaceIndex<V1Service>(informers.services);
  const get = <T extends KubernetesObject>(
    informer: InformerAdapter<T> | undefined,
    key: string,
  ): T | undefined => informer?.get(key);
  return {
    services: (namespace) => services.list(namespace),
    replicationController: (ns, name) => get(informers.replicationControllers, `${ns}/${name}`),
    replicaSet: (ns, name) => get(informers.replicaSets, `${ns}/${name}`),
    statefulSet: (ns, name) => get(informers.statefulSets, `${ns}/${name}`),
    namespace: (name) => informers.namespaces.get(name),
    namespaces: () => informers.namespaces.list(),
    persistentVolumeClaim: (ns, name) => get(informers.persistentVolumeClaims, `${ns}/${name}`),
    persistentVolume: (name) => get(informers.persistentVolumes, name),
    persistentVolumes: () => informers.persistentVolumes?.list() ?? [],
    storageClass: (name) => get(informers.storageClasses, name),
    csiNode: (name) => get(informers.csiNodes, name),
  };
}

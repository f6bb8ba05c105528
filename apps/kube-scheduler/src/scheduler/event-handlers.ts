import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '@app/controller-runtime';
import type { InformerAdapter, KubernetesObject, V1Node, V1Pod } from '@app/kube-client';
import { isAssigned } from '../api/pod-helpers';
import type { SchedulerCache } from '../cache/scheduler-cache';
import type { ClusterEvent } from '../framework/cluster-event';
import type { SchedulingQueue } from '../queue/scheduling-queue';
import type { ClusterInformers } from './cluster-informers';

const unwrap = <T>(o: T | DeletedFinalStateUnknown<T>): T =>
  isDeletedFinalStateUnknown(o) ? o.obj : o;

/**
 * nodeSchedulingPropertiesChange: only changes a plugin could care about move pods (heartbeats
 * and image lists do not).
 */
export function nodeSchedulingPropertiesChanged(oldNode: V1Node, newNode: V1Node): boolean {
  const view = (n: V1Node) =>
    JSON.stringify([
      n.spec?.unschedulable ?? false,
      n.spec?.taints ?? [],
      n.metadata?.labels ?? {},
      n.metadata?.annotations ?? {},
      n.status?.allocatable ?? {},
      (n.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]),
    ]);
  return view(oldNode) !== view(newNode);
}

/**
 * addAllEventHandlers: unscheduled pods of this scheduler feed the queue; assigned pods and nodes
 * feed the cache, and the changes that may help waiting pods move them; volume objects too.
 */
export function addEventHandlers(
  informers: ClusterInformers,
  cache: SchedulerCache,
  queue: SchedulingQueue,
  schedulerName: string,
): void {
  const responsible = (pod: V1Pod) =>
    (pod.spec?.schedulerName || 'default-scheduler') === schedulerName;

  informers.pods.addEventHandler({
    onAdd: (pod) => {
      if (isAssigned(pod)) {
        cache.addPod(pod);
        queue.moveAllToActiveOrBackoff('Pod/Add', undefined, pod);
      } else if (responsible(pod)) {
        queue.add(pod);
      }
    },
    onUpdate: (oldPod, newPod) => {
      if (isAssigned(oldPod)) {
        cache.updatePod(newPod);
        queue.moveAllToActiveOrBackoff('Pod/Update', oldPod, newPod);
      } else if (isAssigned(newPod)) {
        // Bound: leaves the queue, enters the cache (confirming an assumption of ours).
        queue.delete(oldPod);
        cache.addPod(newPod);
        queue.moveAllToActiveOrBackoff('Pod/Add', undefined, newPod);
      } else if (responsible(newPod)) {
        queue.update(oldPod, newPod);
      } else if (responsible(oldPod)) {
        queue.delete(oldPod);
      }
    },
    onDelete: (obj) => {
      const pod = unwrap(obj);
      if (isAssigned(pod)) {
        cache.removePod(pod);
        queue.moveAllToActiveOrBackoff('Pod/Delete', pod, undefined);
      } else {
        queue.delete(pod);
      }
    },
  });

  informers.nodes.addEventHandler({
    onAdd: (node) => {
      cache.addNode(node);
      queue.moveAllToActiveOrBackoff('Node/Add', undefined, node);
    },
    onUpdate: (oldNode, newNode) => {
      cache.updateNode(newNode);
      if (nodeSchedulingPropertiesChanged(oldNode, newNode)) {
        queue.moveAllToActiveOrBackoff('Node/Update', oldNode, newNode);
      }
    },
    onDelete: (obj) => cache.removeNode(unwrap(obj).metadata?.name ?? ''),
  });

  const moveOn = <T extends KubernetesObject>(
    informer: InformerAdapter<T> | undefined,
    add: ClusterEvent,
    update: ClusterEvent,
  ) =>
    informer?.addEventHandler({
      onAdd: (o) => queue.moveAllToActiveOrBackoff(add, undefined, o),
      onUpdate: (o, n) => {
        if (o !== n) {
          queue.moveAllToActiveOrBackoff(update, o, n);
        }
      },
    });
  moveOn(
    informers.persistentVolumeClaims,
    'PersistentVolumeClaim/Add',
    'PersistentVolumeClaim/Update',
  );
  moveOn(informers.persistentVolumes, 'PersistentVolume/Add', 'PersistentVolume/Update');
  moveOn(informers.storageClasses, 'StorageClass/Add', 'StorageClass/Update');
  moveOn(informers.csiNodes, 'CSINode/Add', 'CSINode/Update');
}

import type { Indexer } from '@app/controller-runtime';
import type { PodObject } from '@app/kube-client';
import { controllerRefOf } from './owner-refs';

/** upstream controller.OrphanPodIndexKey: the index value of pods without a controller. */
export const ORPHAN_POD_INDEX_KEY = '_ORPHAN_POD';

/**
 * upstream AddPodControllerUIDIndexer's index function: a pod is indexed by its controller's
 * uid, or, without one, as an orphan. Orphans are indexed per namespace here (upstream keeps
 * one list and filters it by namespace), so a namespace full of bare pods costs nothing to
 * the controllers of another.
 */
export function podControllerUidIndex(pod: PodObject): string[] {
  const ref = controllerRefOf(pod);
  return [ref ? ref.uid : orphanKey(pod.metadata?.namespace ?? '')];
}

/**
 * upstream FilterPodsByOwner(includeOrphanedPods=true): the pods an owner controls and the
 * orphans of its namespace, the only pods a claim can keep or adopt. Replaces a walk over every
 * pod of the namespace on every sync (quadratic while a 10,000-replica ReplicaSet scales).
 */
export function podsOwnedByOrOrphaned(
  index: Indexer<PodObject>,
  owner: { metadata?: { uid?: string; namespace?: string } },
): PodObject[] {
  const namespace = owner.metadata?.namespace ?? '';
  const uid = owner.metadata?.uid;
  // The uid is not necessarily unique across namespaces (upstream checks the namespace too).
  const owned = uid ? index.byIndex(uid).filter((p) => p.metadata?.namespace === namespace) : [];
  return owned.concat(index.byIndex(orphanKey(namespace)));
}

function orphanKey(namespace: string): string {
  return `${ORPHAN_POD_INDEX_KEY}/${namespace}`;
}

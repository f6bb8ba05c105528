import type { PodObject } from '@app/kube-client';
import { isPodAvailable } from '../util/pod-state';
import { CONTROLLER_REVISION_HASH } from './controller-history';

const byAge = (a: PodObject, b: PodObject) =>
  (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '');

/**
 * The manage loop with surge (upstream podsShouldBeOnNode, allowSurge): at most one pod of the
 * current revision and one older pod per node — the oldest of each stays, the rest go.
 */
export function surplusWithSurge(running: readonly PodObject[], hash: string): PodObject[] {
  let newest: PodObject | undefined;
  let oldest: PodObject | undefined;
  const surplus: PodObject[] = [];
  for (const pod of [...running].sort(byAge)) {
    if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH] === hash) {
      if (!newest) {
        newest = pod;
        continue;
      }
    } else if (!oldest) {
      oldest = pod;
      continue;
    }
    surplus.push(pod);
  }
  return surplus;
}

/** One node during a surge rollout: its pod of the current revision and its older one. */
export interface NodePods {
  node: string;
  shouldRun: boolean;
  pods: readonly PodObject[];
}

/**
 * upstream rollingUpdate with maxSurge > 0: a node whose old pod is unavailable gets its new pod
 * at once; up to `maxSurge` nodes with an available old pod get a new pod beside it; an old pod
 * goes once the new pod on its node is available. Answers the old pods to delete and the nodes
 * to create a new pod on.
 */
export function surgeRollout(
  nodes: readonly NodePods[],
  hash: string,
  maxSurge: number,
  minReadySeconds: number,
  now: number,
): { deletes: PodObject[]; createOn: string[] } {
  const deletes: PodObject[] = [];
  const allowed: string[] = [];
  const candidates: string[] = [];
  let surging = 0;
  const available = (p: PodObject) => isPodAvailable(p, minReadySeconds, now);
  for (const { node, shouldRun, pods } of nodes) {
    const fresh = pods.filter((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH] === hash);
    const old = pods.filter((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH] !== hash);
    if (fresh.length > 1 || old.length > 1) {
      // The manage loop cleans this node up first; it counts as surging meanwhile.
      surging++;
      continue;
    }
    const [newPod] = fresh;
    const [oldPod] = old;
    if (!oldPod) {
      continue;
    }
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) {
          deletes.push(oldPod);
        } else {
          allowed.push(node);
        }
      } else if (surging < maxSurge) {
        candidates.push(node);
      }
      continue;
    }
    if (!available(newPod)) {
      surging++;
      continue;
    }
    deletes.push(oldPod);
  }
  const remaining = Math.max(0, Math.min(maxSurge - surging, candidates.length));
  return { deletes, createOn: [...allowed, ...candidates.slice(0, remaining)] };
}

import type { V1Node, V1Pod } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import { PodInfo } from '../cache/pod-info';
import { resourceFromList, type Resource } from '../api/resources';
import { MAX_NODE_SCORE } from '../framework/framework';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  ScorePlugin,
} from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

/**
 * fitsRequest: every resource the node lacks for the pod — the pod count first, then cpu, memory,
 * ephemeral storage and extended resources — against allocatable minus the requests of the pods
 * already there (assumed ones included).
 */
export function insufficientResources(pod: PodInfo | Resource, node: NodeInfo): string[] {
  const req = pod instanceof PodInfo ? pod.requests : pod;
  const out: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) {
    out.push('Too many pods');
  }
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar?.size) {
    return out;
  }
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push('Insufficient cpu');
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.push('Insufficient memory');
  }
  if (
    req.ephemeralStorage > 0 &&
    req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage
  ) {
    out.push('Insufficient ephemeral-storage');
  }
  for (const [name, quantity] of req.scalar ?? []) {
    if (quantity === 0) {
      continue;
    }
    const free = (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0);
    if (quantity > free) {
      out.push(`Insufficient ${name}`);
    }
  }
  return out;
}

/** leastRequestedScore: the free fraction × 100 (integer arithmetic, as upstream). */
function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) {
    return 0;
  }
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * NodeResourcesFit: the Filter above, and the LeastAllocated score over cpu and memory (weight 1
 * each), counting pods without requests as 100m / 200Mi so empty nodes win.
 */
export class NodeResourcesFit implements FilterPlugin, ScorePlugin, EnqueueExtensions {
  readonly name = PluginNames.NodeResourcesFit;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const reasons = insufficientResources(pod, node);
    return reasons.length ? Status.unschedulable(...reasons) : undefined;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let total = 0;
    let weights = 0;
    const cpu = node.allocatable.milliCPU;
    if (cpu !== 0) {
      total += leastRequestedScore(node.nonZeroCPU + pod.nonZeroCPU, cpu);
      weights++;
    }
    const memory = node.allocatable.memory;
    if (memory !== 0) {
      total += leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, memory);
      weights++;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  }

  events(): EventRegistration[] {
    const fitsEmpty = (pod: PodInfo, n: unknown) => {
      const alloc = resourceFromList((n as V1Node).status?.allocatable);
      const r = pod.requests;
      return (
        r.milliCPU <= alloc.milliCPU &&
        r.memory <= alloc.memory &&
        r.ephemeralStorage <= alloc.ephemeralStorage &&
        [...(r.scalar ?? [])].every(([k, v]) => v <= (alloc.scalar?.get(k) ?? 0))
      );
    };
    const allocatableOf = (n: unknown) => JSON.stringify((n as V1Node).status?.allocatable ?? {});
    return [
      // Any assigned pod that goes away frees requests (or at least a pod slot).
      { event: 'Pod/Delete' },
      {
        // In-place scale-down of an assigned pod.
        event: 'Pod/Update',
        hint: (_pod, o, n) => {
          const before = new PodInfo(o as V1Pod).requests;
          const after = new PodInfo(n as V1Pod).requests;
          return after.milliCPU < before.milliCPU || after.memory < before.memory;
        },
      },
      { event: 'Node/Add', hint: (pod, _o, n) => fitsEmpty(pod, n) },
      {
        event: 'Node/Update',
        hint: (pod, o, n) => allocatableOf(o) !== allocatableOf(n) && fitsEmpty(pod, n),
      },
    ];
  }
}

import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import { MAX_NODE_SCORE } from '../framework/framework';
import type { CycleState, PreScorePlugin, ScorePlugin } from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory fractions (requests with
 * this pod, no defaults) stay close: (1 − |f_cpu − f_mem| / 2) × 100. Skipped for best-effort
 * pods, which would otherwise pile onto one node (kubernetes#129138).
 */
export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = PluginNames.NodeResourcesBalancedAllocation;

  preScore(_state: CycleState, pod: PodInfo): Status | undefined {
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? Status.skip() : undefined;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const fractions: number[] = [];
    const add = (requested: number, allocatable: number) => {
      if (allocatable !== 0) {
        fractions.push(Math.min(1, requested / allocatable));
      }
    };
    add(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU);
    add(node.requested.memory + pod.requests.memory, node.allocatable.memory);
    let std = 0;
    if (fractions.length === 2) {
      std = Math.abs((fractions[0] - fractions[1]) / 2);
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}

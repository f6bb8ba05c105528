import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import type { SchedulerCache } from '../cache/scheduler-cache';
import { NO_NODES_AVAILABLE, newDiagnosis, type Diagnosis } from './fit-error';
import type { Framework } from './framework';
import type { CycleState } from './interfaces';
import { Code, Status } from './status';

/** Below this many nodes every node is checked (minFeasibleNodesToFind). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never goes below this (minFeasibleNodesPercentageToFind). */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * numFeasibleNodesToFind: how many feasible nodes are enough. All of them below 100 nodes; else
 * `percentageOfNodesToScore` (0 = adaptive: 50 % − nodes/125, at least 5 %), at least 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
    return numAllNodes;
  }
  let p = percentage;
  if (p === 0) {
    p = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  }
  const n = Math.trunc((numAllNodes * p) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export type ScheduleResult =
  | { kind: 'scheduled'; node: string; evaluatedNodes: number; feasibleNodes: number }
  /** No node fits: a FitError (diagnosis) or no nodes at all. */
  | { kind: 'unschedulable'; diagnosis: Diagnosis; numAllNodes: number; noNodes: boolean }
  | { kind: 'error'; status: Status };

/**
 * One scheduling attempt's algorithm (schedulePod): PreFilter, Filter over the nodes from a
 * rotating start until enough fit, PreScore/Score, and the highest total (ties broken at random).
 */
export class ScheduleAlgorithm {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly framework: Framework,
    private readonly cache: SchedulerCache,
    private readonly percentageOfNodesToScore: number,
    private readonly random: () => number,
  ) {}

  schedule(state: CycleState, pod: PodInfo): ScheduleResult {
    const allNodes = this.cache.nodeList();
    if (allNodes.length === 0) {
      return { kind: 'unschedulable', diagnosis: newDiagnosis(), numAllNodes: 0, noNodes: true };
    }
    const diagnosis = newDiagnosis();
    const found = this.findNodesThatFit(state, pod, allNodes, diagnosis);
    if (found instanceof Status) {
      return { kind: 'error', status: found };
    }
    if (found.length === 0) {
      return { kind: 'unschedulable', diagnosis, numAllNodes: allNodes.length, noNodes: false };
    }
    const evaluatedNodes = found.length + diagnosis.nodeToStatus.size;
    if (found.length === 1) {
      return { kind: 'scheduled', node: found[0].name, evaluatedNodes, feasibleNodes: 1 };
    }
    const preScore = this.framework.runPreScore(state, pod, found, allNodes);
    if (preScore) {
      return { kind: 'error', status: preScore };
    }
    const totals = this.framework.runScore(state, pod, found);
    return {
      kind: 'scheduled',
      node: found[this.selectHost(totals)].name,
      evaluatedNodes,
      feasibleNodes: found.length,
    };
  }

  /** findNodesThatFitPod. */
  private findNodesThatFit(
    state: CycleState,
    pod: PodInfo,
    allNodes: readonly NodeInfo[],
    diagnosis: Diagnosis,
  ): NodeInfo[] | Status {
    const pre = this.framework.runPreFilter(state, pod, allNodes);
    diagnosis.unschedulablePlugins = pre.plugins;
    if (pre.status) {
      if (!pre.status.rejected) {
        return pre.status;
      }
      diagnosis.nodeToStatus.absent = pre.status;
      diagnosis.preFilterMsg = pre.status.message;
      return [];
    }
    // A nominated node (after preemption) is tried first.
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const node = this.cache.nodeInfo(nominated);
      if (node && !this.framework.runFilter(state, pod, node)) {
        return [node];
      }
    }
    let nodes = allNodes;
    if (pre.nodeNames) {
      const names = pre.nodeNames;
      nodes = allNodes.filter((n) => names.has(n.name));
      const plugins = [...pre.plugins].sort().join(' ');
      diagnosis.nodeToStatus.absent = Status.unresolvable(
        `node(s) didn't satisfy plugin(s) [${plugins}]`,
      );
    }
    if (nodes.length === 0) {
      return [];
    }
    const wanted = numFeasibleNodesToFind(this.percentageOfNodesToScore, nodes.length);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % nodes.length;
    let processed = 0;
    for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
      const node = nodes[(start + i) % nodes.length];
      processed++;
      const status = this.framework.runFilter(state, pod, node);
      if (!status) {
        feasible.push(node);
        continue;
      }
      if (status.code === Code.Error) {
        return status;
      }
      diagnosis.nodeToStatus.set(node.name, status);
      if (status.rejected && status.plugin) {
        diagnosis.unschedulablePlugins.add(status.plugin);
      }
    }
    this.nextStartNodeIndex = (start + processed) % nodes.length;
    return feasible;
  }

  /** selectHost: the highest total; equal totals by reservoir sampling (uniform). */
  private selectHost(totals: number[]): number {
    let selected = 0;
    let max = totals[0];
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i] > max) {
        max = totals[i];
        selected = i;
        ties = 1;
      } else if (totals[i] === max) {
        ties++;
        if (Math.floor(this.random() * ties) === 0) {
          selected = i;
        }
      }
    }
    return selected;
  }
}

export { NO_NODES_AVAILABLE };

import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import { fitErrorMessage, NodeToStatus, type Diagnosis } from '../framework/fit-error';
import type { Framework } from '../framework/framework';
import type { CycleState, PostFilterPlugin, PostFilterResult } from '../framework/interfaces';
import { Code, Status } from '../framework/status';
import { PluginNames } from './names';

export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING =
  'not eligible due to a terminating pod on the nominated node.';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/** DefaultPreemptionArgs defaults. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface Candidate {
  node: NodeInfo;
  victims: PodInfo[];
}

/** Carries out a chosen preemption (victims' DisruptionTarget condition, deletion, events). */
export interface PreemptionExecutor {
  preempt(preemptor: PodInfo, candidate: Candidate): void;
}

const isTerminatingByPreemption = (p: PodInfo): boolean =>
  p.terminating &&
  (p.pod.status?.conditions ?? []).some(
    (c) => c.type === 'DisruptionTarget' && c.reason === 'PreemptionByScheduler',
  );

/** MoreImportantPod: higher priority, then the earlier start. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) {
    return b.priority - a.priority;
  }
  // Lists deliver Dates, watches strings.
  const start = (p: PodInfo) => {
    const t = p.pod.status?.startTime as Date | string | undefined;
    return t === undefined ? Infinity : new Date(t).getTime();
  };
  return start(a) - start(b);
}

/**
 * DefaultPreemption (PostFilter): when no node fits, can evicting lower-priority pods make one fit?
 * Dry runs per node rejected as Unschedulable (resolvable), then — when a node qualifies — the
 * victims of the best candidate are evicted and the pod nominated to that node. When none
 * qualifies the message explains why, as upstream:
 * `preemption: 0/N nodes are available: <k> No preemption victims found for incoming pod, <m>
 * Preemption is not helpful for scheduling.`
 */
export class DefaultPreemption implements PostFilterPlugin {
  readonly name = PluginNames.DefaultPreemption;

  constructor(
    private readonly framework: () => Framework,
    private readonly random: () => number,
    private readonly executor?: PreemptionExecutor,
  ) {}

  postFilter(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    nodes: readonly NodeInfo[],
  ): PostFilterResult {
    const ineligible = this.ineligibility(pod, diagnosis, nodes);
    if (ineligible) {
      return { status: Status.unschedulable(`preemption: ${ineligible}`) };
    }
    const potential = diagnosis.nodeToStatus.nodesWithCode(nodes, Code.Unschedulable);
    const statuses = new NodeToStatus(Status.unresolvable(NOT_HELPFUL));
    const candidates: Candidate[] = [];
    if (potential.length > 0) {
      const wanted = Math.min(
        potential.length,
        Math.max(
          Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100),
          MIN_CANDIDATE_NODES_ABSOLUTE,
        ),
      );
      const offset = Math.floor(this.random() * potential.length);
      for (let i = 0; i < potential.length && candidates.length < wanted; i++) {
        const node = potential[(offset + i) % potential.length];
        const result = this.selectVictimsOnNode(state, pod, node);
        if (result instanceof Status) {
          statuses.set(node.name, result);
        } else {
          candidates.push({ node, victims: result });
        }
      }
    }
    if (candidates.length === 0) {
      const message = fitErrorMessage(nodes.length, {
        nodeToStatus: statuses,
        unschedulablePlugins: new Set(),
        preFilterMsg: '',
        postFilterMsg: '',
      });
      return { status: Status.unschedulable(`preemption: ${message}`), nominatedNodeName: '' };
    }
    const best = pickOneNodeForPreemption(candidates);
    this.executor?.preempt(pod, best);
    return { status: undefined, nominatedNodeName: best.node.name };
  }

  /** PodEligibleToPreemptOthers. */
  private ineligibility(
    pod: PodInfo,
    diagnosis: Diagnosis,
    nodes: readonly NodeInfo[],
  ): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === 'Never') {
      return NOT_ELIGIBLE_NEVER;
    }
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      if (diagnosis.nodeToStatus.get(nominated).code === Code.UnschedulableAndUnresolvable) {
        return undefined;
      }
      const node = nodes.find((n) => n.name === nominated);
      if (node?.pods.some((p) => p.priority < pod.priority && isTerminatingByPreemption(p))) {
        return NOT_ELIGIBLE_TERMINATING;
      }
    }
    return undefined;
  }

  /**
   * SelectVictimsOnNode: remove every lower-priority pod; if the pod then fits, add back as many
   * as possible (most important first) and return the rest as victims.
   */
  private selectVictimsOnNode(state: CycleState, pod: PodInfo, node: NodeInfo): PodInfo[] | Status {
    const lower = node.pods.filter((p) => p.priority < pod.priority);
    if (lower.length === 0) {
      return Status.unresolvable(NO_VICTIMS);
    }
    const fw = this.framework();
    const trial = node.clone();
    lower.forEach((p) => trial.removePod(p.uid));
    const fits = fw.runFilter(state, pod, trial);
    if (fits) {
      return fits;
    }
    const victims: PodInfo[] = [];
    for (const p of [...lower].sort(moreImportant)) {
      trial.addPod(p);
      if (fw.runFilter(state, pod, trial)) {
        trial.removePod(p.uid);
        victims.push(p);
      }
    }
    if (victims.length === 0) {
      return new Status(Code.Error, [`expected at least one victim pod on node "${node.name}"`]);
    }
    return victims;
  }
}

/** pickOneNodeForPreemption: lowest highest-victim priority, lowest priority sum, fewest victims. */
function pickOneNodeForPreemption(candidates: Candidate[]): Candidate {
  const highest = (c: Candidate) => Math.max(...c.victims.map((v) => v.priority));
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  return [...candidates].sort(
    (a, b) => highest(a) - highest(b) || sum(a) - sum(b) || a.victims.length - b.victims.length,
  )[0];
}

import type { V1Pod } from '@app/kube-client';
import { hasAllLabelKeys } from '../../api/labels';
import { RequiredNodeAffinity } from '../../api/node-selector';
import { DomainCounts } from '../../cache/domain-counts';
import type { NodeInfo } from '../../cache/node-info';
import type { SchedulerCache } from '../../cache/scheduler-cache';
import type { PodInfo } from '../../cache/pod-info';
import { MAX_NODE_SCORE } from '../../framework/framework';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  Listers,
  NodeScore,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from '../../framework/interfaces';
import { Status } from '../../framework/status';
import { PluginNames } from '../names';
import {
  SYSTEM_DEFAULT_CONSTRAINTS,
  constraintsFor,
  defaultSelector,
  includesNode,
  nodeHasAllTopologies,
  type SpreadConstraint,
} from './constraints';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH =
  "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const PRE_FILTER = 'PodTopologySpread/preFilter';
const PRE_SCORE = 'PodTopologySpread/preScore';
const HOSTNAME = 'kubernetes.io/hostname';

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

interface FilterState {
  constraints: SpreadConstraint[];
  /** Matching pods per topology pair. */
  matchNum: Map<string, number>;
  /** Per topology key: number of domains and the global minimum. */
  domains: Map<string, number>;
  minMatch: Map<string, number>;
}

interface ScoreState {
  constraints: SpreadConstraint[];
  ignored: Set<string>;
  pairCounts: Map<string, number>;
  /** pairCounts by topology value, per constraint (Score looks values up without a pair key). */
  countsByValue: Map<string, number>[];
  weights: number[];
}

/**
 * PodTopologySpread: `DoNotSchedule` constraints filter (skew = matching pods in the node's domain
 * + self − global minimum ≤ maxSkew); `ScheduleAnyway` constraints — or, for pods without any, the
 * system defaults (hostname maxSkew 3, zone maxSkew 5) over the pods selected like the pod's
 * Services/ReplicaSet/StatefulSet — score toward emptier domains.
 */
export class PodTopologySpread
  implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions
{
  readonly name = PluginNames.PodTopologySpread;
  private readonly counts: DomainCounts;

  constructor(
    private readonly listers: Listers,
    private readonly cache: SchedulerCache,
  ) {
    this.counts = new DomainCounts(cache);
  }

  /**
   * Matching pods per domain of `c` over `nodes` (every node carrying all `requiredKeys`) into
   * `into`, keyed by topology pair. From the kept counts when `nodes` is the whole cache and the
   * constraint includes nodes regardless of the pod (no required node affinity, taints ignored —
   * the defaults); else by walking the nodes.
   */
  private countDomains(
    c: SpreadConstraint,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    requiredKeys: readonly string[],
    required: RequiredNodeAffinity,
    into: (pair: string, pods: number) => void,
  ): void {
    const uniform =
      (c.nodeAffinityPolicy === 'Ignore' || required.empty) && c.nodeTaintsPolicy === 'Ignore';
    if (uniform && nodes === this.cache.nodeList()) {
      const domains = this.counts.domains(pod.namespace, c.selector, c.topologyKey, requiredKeys);
      for (const [value, d] of domains) {
        into(pairKey(c.topologyKey, value), d.pods);
      }
      return;
    }
    for (const node of nodes) {
      if (!hasAllLabelKeys(node.labels, requiredKeys)) {
        continue;
      }
      if (includesNode(c, pod, node, required)) {
        into(
          pairKey(c.topologyKey, node.labels?.[c.topologyKey] ?? ''),
          node.countMatching(c.selector, pod.namespace),
        );
      }
    }
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | undefined {
    const constraints = constraintsFor(
      pod.pod.spec?.topologySpreadConstraints,
      pod.labels,
      'DoNotSchedule',
    );
    const s: FilterState = {
      constraints,
      matchNum: new Map(),
      domains: new Map(),
      minMatch: new Map(),
    };
    state.set(PRE_FILTER, s);
    if (constraints.length === 0) {
      return undefined;
    }
    const required = new RequiredNodeAffinity(pod.pod);
    // Only nodes carrying every constraint's topology key count.
    const keys = constraints.map((c) => c.topologyKey);
    for (const c of constraints) {
      this.countDomains(c, pod, nodes, keys, required, (k, n) =>
        s.matchNum.set(k, (s.matchNum.get(k) ?? 0) + n),
      );
    }
    for (const [k, n] of s.matchNum) {
      const key = k.slice(0, k.indexOf('\u0000'));
      s.domains.set(key, (s.domains.get(key) ?? 0) + 1);
      s.minMatch.set(key, Math.min(s.minMatch.get(key) ?? Infinity, n));
    }
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const s = state.get(PRE_FILTER) as FilterState | undefined;
    if (!s || s.constraints.length === 0) {
      return undefined;
    }
    for (const c of s.constraints) {
      const value = node.labels?.[c.topologyKey];
      if (value === undefined) {
        return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      }
      let min = s.minMatch.get(c.topologyKey) ?? 0;
      if ((s.domains.get(c.topologyKey) ?? 0) < c.minDomains) {
        min = 0;
      }
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.matchNum.get(pairKey(c.topologyKey, value)) ?? 0) + self - min;
      if (skew > c.maxSkew) {
        return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
      }
    }
    return undefined;
  }

  preScore(
    state: CycleState,
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    all: readonly NodeInfo[],
  ): Status | undefined {
    if (all.length === 0) {
      return Status.skip();
    }
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    let constraints: SpreadConstraint[];
    if (own.length > 0) {
      constraints = constraintsFor(own, pod.labels, 'ScheduleAnyway');
    } else {
      const selector = defaultSelector(pod.pod, this.listers);
      constraints = selector.empty
        ? []
        : constraintsFor(SYSTEM_DEFAULT_CONSTRAINTS, pod.labels, 'ScheduleAnyway').map((c) => ({
            ...c,
            selector,
          }));
    }
    if (constraints.length === 0) {
      return Status.skip();
    }
    // Only the pod's own constraints require every topology label (system defaults let nodes
    // without a zone label still spread by hostname).
    const requireAll = own.length > 0;
    const s: ScoreState = {
      constraints,
      ignored: new Set(),
      pairCounts: new Map(),
      countsByValue: constraints.map(() => new Map<string, number>()),
      weights: [],
    };
    const sizes = constraints.map(() => 0);
    for (const node of feasible) {
      if (requireAll && !nodeHasAllTopologies(node, constraints)) {
        s.ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME) {
          return;
        }
        const k = pairKey(c.topologyKey, node.labels?.[c.topologyKey] ?? '');
        if (!s.pairCounts.has(k)) {
          s.pairCounts.set(k, 0);
          sizes[i]++;
        }
      });
    }
    s.weights = constraints.map((c, i) =>
      Math.log((c.topologyKey === HOSTNAME ? feasible.length - s.ignored.size : sizes[i]) + 2),
    );
    const required = new RequiredNodeAffinity(pod.pod);
    const keys = requireAll ? constraints.map((c) => c.topologyKey) : [];
    for (const c of constraints) {
      // As upstream's PreScore: hostname domains are counted per node in Score, not here.
      if (c.topologyKey === HOSTNAME) {
        continue;
      }
      this.countDomains(c, pod, all, keys, required, (k, n) => {
        const current = s.pairCounts.get(k);
        if (current !== undefined) {
          s.pairCounts.set(k, current + n);
        }
      });
    }
    // Constraints with the same topology key share their pairs' counts, as upstream's.
    for (const [k, n] of s.pairCounts) {
      const [key, value] = k.split('\u0000');
      constraints.forEach((c, i) => {
        if (c.topologyKey === key) {
          s.countsByValue[i].set(value, n);
        }
      });
    }
    state.set(PRE_SCORE, s);
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.get(PRE_SCORE) as ScoreState;
    if (s.ignored.has(node.name)) {
      return 0;
    }
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const value = node.labels?.[c.topologyKey];
      if (value === undefined) {
        continue;
      }
      const count =
        c.topologyKey === HOSTNAME
          ? node.countMatching(c.selector, pod.namespace)
          : (s.countsByValue[i].get(value) ?? 0);
      score += count * s.weights[i] + (c.maxSkew - 1);
    }
    return goRound(score);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    const s = state.get(PRE_SCORE) as ScoreState | undefined;
    if (!s) {
      return;
    }
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const sc of scores) {
      if (s.ignored.has(sc.node.name)) {
        continue;
      }
      min = Math.min(min, sc.score);
      max = Math.max(max, sc.score);
    }
    for (const sc of scores) {
      if (s.ignored.has(sc.node.name)) {
        sc.score = 0;
      } else if (max === 0) {
        sc.score = MAX_NODE_SCORE;
      } else {
        sc.score = Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
      }
    }
  }

  events(): EventRegistration[] {
    // Another pod of the same namespace matching one of this pod's DoNotSchedule selectors.
    const concerns = (pod: PodInfo, other: unknown) => {
      const o = other as V1Pod | undefined;
      if (!o || o.metadata?.namespace !== pod.namespace) {
        return false;
      }
      return constraintsFor(
        pod.pod.spec?.topologySpreadConstraints,
        pod.labels,
        'DoNotSchedule',
      ).some((c) => c.selector.matches(o.metadata?.labels));
    };
    return [
      { event: 'Pod/Add', hint: (pod, _o, n) => concerns(pod, n) },
      { event: 'Pod/Update', hint: (pod, o, n) => concerns(pod, o) || concerns(pod, n) },
      { event: 'Pod/Delete', hint: (pod, o) => concerns(pod, o) },
      { event: 'Node/Add' },
      { event: 'Node/Update' },
    ];
  }
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

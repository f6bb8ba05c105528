import type { V1Node, V1Pod } from '@app/kube-client';
import { nothing, type Labels } from '../../api/labels';
import type { NodeInfo } from '../../cache/node-info';
import {
  PodInfo,
  affinityTermMatches,
  type AffinityTerm,
  type WeightedAffinityTerm,
} from '../../cache/pod-info';
import type { SchedulerCache } from '../../cache/scheduler-cache';
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

export const ERR_REASON_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** args.HardPodAffinityWeight default. */
const HARD_POD_AFFINITY_WEIGHT = 1;

const PRE_FILTER = 'InterPodAffinity/preFilter';
const PRE_SCORE = 'InterPodAffinity/preScore';

/** topologyToMatchedTermCount, keyed `key\0value`. */
type TopologyCounts = Map<string, number>;

const pair = (key: string, value: string) => `${key}\u0000${value}`;

function bump(counts: TopologyCounts, node: NodeInfo, key: string, by: number): void {
  const value = node.labels?.[key];
  if (value === undefined) {
    return;
  }
  const k = pair(key, value);
  const n = (counts.get(k) ?? 0) + by;
  if (n === 0) {
    counts.delete(k);
  } else {
    counts.set(k, n);
  }
}

interface FilterState {
  pod: PodInfo;
  affinity: AffinityTerm[];
  antiAffinity: AffinityTerm[];
  existingAntiAffinityCounts: TopologyCounts;
  affinityCounts: TopologyCounts;
  antiAffinityCounts: TopologyCounts;
}

interface ScoreState {
  /** topology key → value → score. */
  topologyScore: Map<string, Map<string, number>>;
}

const matchesAll = (terms: readonly AffinityTerm[], pod: PodInfo): boolean =>
  terms.length > 0 && terms.every((t) => affinityTermMatches(t, pod, undefined));

/**
 * InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the required
 * anti-affinity of pods already placed, filter nodes by topology domain; preferred terms (both
 * ways) and existing pods' required affinity (weight 1) score them.
 */
export class InterPodAffinity
  implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions
{
  readonly name = PluginNames.InterPodAffinity;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly listers: Listers,
  ) {}

  private namespaceLabels(namespace: string): Labels {
    return this.listers.namespace(namespace)?.metadata?.labels;
  }

  /** mergeAffinityTermNamespacesIfNotEmpty: a namespace selector becomes the namespaces it selects. */
  private merged<T extends AffinityTerm>(term: T): T {
    const selector = term.namespaceSelector;
    if (selector.empty || !selector.matchesAnything) {
      return term;
    }
    const namespaces = new Set(term.namespaces);
    for (const ns of this.listers.namespaces()) {
      if (selector.matches(ns.metadata?.labels)) {
        namespaces.add(ns.metadata?.name ?? '');
      }
    }
    return { ...term, namespaces, namespaceSelector: nothing };
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | undefined {
    const nsLabels = this.namespaceLabels(pod.namespace);
    const affinity = pod.requiredAffinityTerms.map((t) => this.merged(t));
    const antiAffinity = pod.requiredAntiAffinityTerms.map((t) => this.merged(t));
    const existingAntiAffinityCounts: TopologyCounts = new Map();
    for (const node of this.cache.nodesWithPodsWithRequiredAntiAffinity()) {
      for (const existing of node.pods) {
        for (const t of existing.requiredAntiAffinityTerms) {
          if (affinityTermMatches(t, pod, nsLabels)) {
            bump(existingAntiAffinityCounts, node, t.topologyKey, 1);
          }
        }
      }
    }
    const affinityCounts: TopologyCounts = new Map();
    const antiAffinityCounts: TopologyCounts = new Map();
    if (affinity.length > 0 || antiAffinity.length > 0) {
      for (const node of nodes) {
        for (const existing of node.pods) {
          if (matchesAll(affinity, existing)) {
            affinity.forEach((t) => bump(affinityCounts, node, t.topologyKey, 1));
          }
          for (const t of antiAffinity) {
            if (affinityTermMatches(t, existing, undefined)) {
              bump(antiAffinityCounts, node, t.topologyKey, 1);
            }
          }
        }
      }
    }
    if (
      existingAntiAffinityCounts.size === 0 &&
      affinity.length === 0 &&
      antiAffinity.length === 0
    ) {
      return Status.skip();
    }
    const s: FilterState = {
      pod,
      affinity,
      antiAffinity,
      existingAntiAffinityCounts,
      affinityCounts,
      antiAffinityCounts,
    };
    state.set(PRE_FILTER, s);
    return undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | undefined {
    const s = state.get(PRE_FILTER) as FilterState;
    if (!this.satisfiesAffinity(s, node)) {
      return Status.unresolvable(ERR_REASON_AFFINITY);
    }
    if (s.antiAffinityCounts.size > 0) {
      for (const t of s.antiAffinity) {
        const value = node.labels?.[t.topologyKey];
        if (
          value !== undefined &&
          (s.antiAffinityCounts.get(pair(t.topologyKey, value)) ?? 0) > 0
        ) {
          return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
        }
      }
    }
    if (s.existingAntiAffinityCounts.size > 0) {
      for (const [key, value] of Object.entries(node.labels ?? {})) {
        if ((s.existingAntiAffinityCounts.get(pair(key, value)) ?? 0) > 0) {
          return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
        }
      }
    }
    return undefined;
  }

  /** satisfyPodAffinity, including the "first pod of a self-affine group" exception. */
  private satisfiesAffinity(s: FilterState, node: NodeInfo): boolean {
    let podsExist = true;
    for (const t of s.affinity) {
      const value = node.labels?.[t.topologyKey];
      if (value === undefined) {
        return false;
      }
      if ((s.affinityCounts.get(pair(t.topologyKey, value)) ?? 0) <= 0) {
        podsExist = false;
      }
    }
    if (podsExist) {
      return true;
    }
    return s.affinityCounts.size === 0 && matchesAll(s.affinity, s.pod);
  }

  preScore(
    state: CycleState,
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    all: readonly NodeInfo[],
  ): Status | undefined {
    if (feasible.length === 0) {
      return Status.skip();
    }
    const hasConstraints =
      pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
    const nodes = hasConstraints ? all : this.cache.nodesWithPodsWithAffinity();
    if (nodes.length === 0) {
      return Status.skip();
    }
    const preferred = pod.preferredAffinityTerms.map((t) => this.merged(t));
    const preferredAnti = pod.preferredAntiAffinityTerms.map((t) => this.merged(t));
    const nsLabels = this.namespaceLabels(pod.namespace);
    const topologyScore = new Map<string, Map<string, number>>();
    const add = (
      term: AffinityTerm,
      weight: number,
      target: PodInfo,
      ns: Labels,
      node: NodeInfo,
    ) => {
      if (!affinityTermMatches(term, target, ns)) {
        return;
      }
      const value = node.labels?.[term.topologyKey];
      if (value === undefined) {
        return;
      }
      let byValue = topologyScore.get(term.topologyKey);
      if (!byValue) {
        byValue = new Map();
        topologyScore.set(term.topologyKey, byValue);
      }
      byValue.set(value, (byValue.get(value) ?? 0) + weight);
    };
    const weighted = (
      terms: readonly WeightedAffinityTerm[],
      sign: number,
      target: PodInfo,
      ns: Labels,
      node: NodeInfo,
    ) => terms.forEach((t) => add(t, t.weight * sign, target, ns, node));
    for (const node of nodes) {
      if (!node.labels || Object.keys(node.labels).length === 0) {
        continue;
      }
      for (const existing of node.pods) {
        if (!hasConstraints && !existing.hasAffinity) {
          continue;
        }
        weighted(preferred, 1, existing, undefined, node);
        weighted(preferredAnti, -1, existing, undefined, node);
        for (const t of existing.requiredAffinityTerms) {
          add(t, HARD_POD_AFFINITY_WEIGHT, pod, nsLabels, node);
        }
        weighted(existing.preferredAffinityTerms, 1, pod, nsLabels, node);
        weighted(existing.preferredAntiAffinityTerms, -1, pod, nsLabels, node);
      }
    }
    if (topologyScore.size === 0) {
      return Status.skip();
    }
    const s: ScoreState = { topologyScore };
    state.set(PRE_SCORE, s);
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.get(PRE_SCORE) as ScoreState;
    let score = 0;
    for (const [key, byValue] of s.topologyScore) {
      const value = node.labels?.[key];
      if (value !== undefined) {
        score += byValue.get(value) ?? 0;
      }
    }
    return score;
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    const s = state.get(PRE_SCORE) as ScoreState | undefined;
    if (!s || s.topologyScore.size === 0) {
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const sc of scores) {
      min = Math.min(min, sc.score);
      max = Math.max(max, sc.score);
    }
    const diff = max - min;
    for (const sc of scores) {
      sc.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((sc.score - min) / diff)) : 0;
    }
  }

  events(): EventRegistration[] {
    const asInfo = (o: unknown) => new PodInfo(o as V1Pod);
    // An added pod may satisfy this pod's required affinity.
    const helpsAffinity = (pod: PodInfo, other: unknown) =>
      pod.requiredAffinityTerms.length > 0 &&
      pod.requiredAffinityTerms.some((t) => affinityTermMatches(t, asInfo(other), undefined));
    const labelsOf = (n: unknown) => JSON.stringify((n as V1Node).metadata?.labels ?? {});
    return [
      { event: 'Pod/Add', hint: (pod, _o, n) => helpsAffinity(pod, n) },
      { event: 'Pod/Update', hint: (pod, _o, n) => helpsAffinity(pod, n) },
      // A deleted pod may have blocked this one (its anti-affinity, or this pod's).
      { event: 'Pod/Delete' },
      { event: 'Node/Add' },
      { event: 'Node/Update', hint: (_pod, o, n) => labelsOf(o) !== labelsOf(n) },
    ];
  }
}

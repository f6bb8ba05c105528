import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import type { Diagnosis } from './fit-error';
import type {
  CycleState,
  EnqueueExtensions,
  FilterPlugin,
  NodeScore,
  Plugin,
  PostFilterPlugin,
  PostFilterResult,
  PreBindPlugin,
  PreEnqueuePlugin,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from './interfaces';
import { Code, Status } from './status';

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

const SKIP_FILTER = 'framework/skip-filter';
const SKIP_SCORE = 'framework/skip-score';

export interface ScoreEntry {
  plugin: ScorePlugin;
  weight: number;
}

export interface PreFilterOutcome {
  /** A rejection (Unschedulable…) or an Error. */
  status?: Status;
  /** Narrowed node names (undefined = all nodes). */
  nodeNames?: ReadonlySet<string>;
  /** Plugins that rejected or narrowed. */
  plugins: Set<string>;
}

const has = <K extends string>(p: Plugin, method: K): boolean =>
  typeof (p as unknown as Record<K, unknown>)[method] === 'function';

const isResult = (v: unknown): v is PreFilterResult =>
  typeof v === 'object' && v !== null && 'nodeNames' in v;

/**
 * The scheduling framework for one profile: the plugins of each extension point in configuration
 * order, and the runners (frameworkImpl.Run*Plugins) with upstream's semantics for Skip, the first
 * failing filter, PreFilter node narrowing and weighted scores.
 */
export class Framework {
  readonly preEnqueue: PreEnqueuePlugin[];
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: ScoreEntry[];
  readonly preBind: PreBindPlugin[];
  readonly enqueueExtensions: EnqueueExtensions[];

  constructor(
    readonly plugins: readonly Plugin[],
    weights: Readonly<Record<string, number>>,
  ) {
    this.preEnqueue = plugins.filter((p): p is PreEnqueuePlugin => has(p, 'preEnqueue'));
    this.preFilter = plugins.filter((p): p is PreFilterPlugin => has(p, 'preFilter'));
    this.filter = plugins.filter((p): p is FilterPlugin => has(p, 'filter'));
    this.postFilter = plugins.filter((p): p is PostFilterPlugin => has(p, 'postFilter'));
    this.preScore = plugins.filter((p): p is PreScorePlugin => has(p, 'preScore'));
    this.score = plugins
      .filter((p): p is ScorePlugin => has(p, 'score'))
      .map((plugin) => ({ plugin, weight: weights[plugin.name] ?? 1 }));
    this.preBind = plugins.filter((p): p is PreBindPlugin => has(p, 'preBind'));
    this.enqueueExtensions = plugins.filter((p): p is EnqueueExtensions => has(p, 'events'));
  }

  /** RunPreEnqueuePlugins: the first rejection (scheduling gates) keeps the pod out of the queue. */
  runPreEnqueue(pod: PodInfo): Status | undefined {
    for (const p of this.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (s) {
        return s.withPlugin(p.name);
      }
    }
    return undefined;
  }

  /**
   * RunPreFilterPlugins: Skip drops the plugin's Filter; UnschedulableAndUnresolvable stops at
   * once; Unschedulable lets the others run (preemption needs their state); results narrow the
   * nodes, and an empty intersection rejects the pod.
   */
  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    const skip = new Set<string>();
    state.set(SKIP_FILTER, skip);
    const narrowing = new Set<string>();
    let nodeNames: Set<string> | undefined;
    let rejection: Status | undefined;
    for (const p of this.preFilter) {
      const r = p.preFilter(state, pod, nodes);
      if (r instanceof Status) {
        if (r.code === Code.Skip) {
          skip.add(p.name);
          continue;
        }
        r.withPlugin(p.name);
        if (r.code === Code.Unschedulable) {
          rejection = r;
          continue;
        }
        return { status: r, plugins: r.rejected ? new Set([p.name]) : new Set() };
      }
      if (isResult(r)) {
        narrowing.add(p.name);
        nodeNames = nodeNames
          ? new Set([...nodeNames].filter((n) => r.nodeNames.has(n)))
          : new Set(r.nodeNames);
        if (nodeNames.size === 0) {
          const names = [...narrowing].sort();
          const message =
            names.length === 1
              ? `node(s) didn't satisfy plugin ${names[0]}`
              : `node(s) didn't satisfy plugin(s) [${names.join(' ')}] simultaneously`;
          return { status: Status.unresolvable(message), nodeNames, plugins: narrowing };
        }
      }
    }
    return {
      status: rejection,
      nodeNames,
      plugins: rejection ? new Set([rejection.plugin, ...narrowing]) : narrowing,
    };
  }

  /** RunFilterPlugins: the first plugin that rejects the node decides its status. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const skip = state.get(SKIP_FILTER) as Set<string> | undefined;
    for (const p of this.filter) {
      if (skip?.has(p.name)) {
        continue;
      }
      const s = p.filter(state, pod, node);
      if (s) {
        return s.withPlugin(p.name);
      }
    }
    return undefined;
  }

  /** RunPostFilterPlugins: the first plugin that succeeds wins; else the reasons of all. */
  runPostFilter(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
    nodes: readonly NodeInfo[],
  ): PostFilterResult {
    const reasons: string[] = [];
    let result: PostFilterResult = { status: undefined };
    for (const p of this.postFilter) {
      result = p.postFilter(state, pod, diagnosis, nodes);
      if (!result.status) {
        return result;
      }
      if (result.status.code === Code.Error) {
        return result;
      }
      reasons.push(...result.status.reasons);
    }
    if (this.postFilter.length === 0) {
      return { status: undefined };
    }
    return { ...result, status: new Status(Code.Unschedulable, reasons) };
  }

  /** RunPreScorePlugins; an Error aborts, Skip leaves the plugin out of scoring. */
  runPreScore(
    state: CycleState,
    pod: PodInfo,
    feasible: readonly NodeInfo[],
    all: readonly NodeInfo[],
  ): Status | undefined {
    const skip = new Set<string>();
    state.set(SKIP_SCORE, skip);
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, feasible, all);
      if (s?.code === Code.Skip) {
        skip.add(p.name);
      } else if (s) {
        return s.withPlugin(p.name);
      }
    }
    return undefined;
  }

  /** RunScorePlugins: per plugin score, normalise, × weight; returns the total per node. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    const skip = state.get(SKIP_SCORE) as Set<string> | undefined;
    const totals = new Array<number>(nodes.length).fill(0);
    for (const { plugin, weight } of this.score) {
      if (skip?.has(plugin.name)) {
        continue;
      }
      const scores: NodeScore[] = nodes.map((node) => ({
        node,
        score: plugin.score(state, pod, node),
      }));
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        totals[i] += scores[i].score * weight;
      }
    }
    return totals;
  }

  /** Which plugins care about `event`, with their hints. */
  registrationsFor(event: string): { plugin: string; hint?: EnqueueExtensionsHint }[] {
    const out: { plugin: string; hint?: EnqueueExtensionsHint }[] = [];
    for (const p of this.enqueueExtensions) {
      for (const r of p.events()) {
        if (r.event === event) {
          out.push({ plugin: p.name, hint: r.hint?.bind(r) });
        }
      }
    }
    return out;
  }
}

export type EnqueueExtensionsHint = (pod: PodInfo, oldObj: unknown, newObj: unknown) => boolean;

/** DefaultNormalizeScore: scale to 0–100 by the maximum; `reverse` flips (fewer is better). */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) {
    max = Math.max(max, s.score);
  }
  if (max === 0) {
    if (reverse) {
      scores.forEach((s) => (s.score = MAX_NODE_SCORE));
    }
    return;
  }
  for (const s of scores) {
    let score = Math.trunc((MAX_NODE_SCORE * s.score) / max);
    if (reverse) {
      score = MAX_NODE_SCORE - score;
    }
    s.score = score;
  }
}

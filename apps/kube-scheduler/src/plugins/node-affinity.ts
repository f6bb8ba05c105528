import type { V1Node } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import {
  compilePreferredTerms,
  RequiredNodeAffinity,
  type PreferredTerm,
} from '../api/node-selector';
import { defaultNormalizeScore } from '../framework/framework';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  NodeScore,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const PRE_FILTER = 'NodeAffinity/preFilter';
const PRE_SCORE = 'NodeAffinity/preScore';

/**
 * NodeAffinity: `spec.nodeSelector` and required node affinity (labels, `matchFields`
 * `metadata.name`, zone labels are plain labels) filter nodes; preferred terms score them.
 * Required terms that only name nodes narrow the node list in PreFilter (DaemonSet pods).
 */
export class NodeAffinity
  implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions
{
  readonly name = PluginNames.NodeAffinity;

  preFilter(state: CycleState, pod: PodInfo): Status | PreFilterResult | undefined {
    const spec = pod.pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !spec?.nodeSelector) {
      return Status.skip();
    }
    state.set(PRE_FILTER, new RequiredNodeAffinity(pod.pod));
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) {
      return undefined;
    }
    let nodeNames: Set<string> | undefined;
    for (const term of terms) {
      let termNames: Set<string> | undefined;
      for (const r of term.matchFields ?? []) {
        if (r.key === 'metadata.name' && r.operator === 'In') {
          const s = new Set(r.values ?? []);
          termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
        }
      }
      if (!termNames) {
        // Terms are ORed: one without a node name allows every node.
        return undefined;
      }
      nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
    }
    if (nodeNames && nodeNames.size === 0) {
      return Status.unresolvable(ERR_REASON_CONFLICT);
    }
    return nodeNames ? { nodeNames } : undefined;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | undefined {
    const required = state.get(PRE_FILTER) as RequiredNodeAffinity | undefined;
    if (!required || required.matches(node.labels, node.name)) {
      return undefined;
    }
    return Status.unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    const preferred =
      pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (!preferred || preferred.length === 0) {
      return Status.skip();
    }
    state.set(PRE_SCORE, compilePreferredTerms(preferred));
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const terms = (state.get(PRE_SCORE) ?? []) as PreferredTerm[];
    let count = 0;
    for (const t of terms) {
      if (t.matches(node.labels, node.name)) {
        count += t.weight;
      }
    }
    return count;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  }

  events(): EventRegistration[] {
    const matches = (pod: PodInfo, n: unknown) =>
      new RequiredNodeAffinity(pod.pod).matchesNode(n as V1Node);
    return [
      { event: 'Node/Add', hint: (pod, _o, n) => matches(pod, n) },
      { event: 'Node/Update', hint: (pod, o, n) => !matches(pod, o) && matches(pod, n) },
    ];
  }
}

import type { V1Node, V1Taint, V1Toleration } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import {
  doNotScheduleTaint,
  findUntoleratedTaint,
  tolerationsTolerateTaint,
} from '../api/tolerations';
import { defaultNormalizeScore } from '../framework/framework';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  NodeScore,
  PreScorePlugin,
  ScorePlugin,
} from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

const PRE_SCORE = 'TaintToleration/preScore';

/**
 * TaintToleration: the first untolerated NoSchedule/NoExecute taint rejects the node; scores
 * penalise untolerated PreferNoSchedule taints (normalised in reverse).
 */
export class TaintToleration
  implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions
{
  readonly name = PluginNames.TaintToleration;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    const taint = findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleTaint);
    if (!taint) {
      return undefined;
    }
    return Status.unresolvable(
      `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    );
  }

  preScore(state: CycleState, pod: PodInfo): Status | undefined {
    // Tolerations without an effect cover PreferNoSchedule too.
    state.set(
      PRE_SCORE,
      pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'),
    );
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const tolerations = (state.get(PRE_SCORE) ?? []) as V1Toleration[];
    let intolerable = 0;
    for (const taint of node.taints) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) {
        intolerable++;
      }
    }
    return intolerable;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  }

  events(): EventRegistration[] {
    const untolerated = (pod: PodInfo, n: unknown): V1Taint | undefined =>
      findUntoleratedTaint((n as V1Node).spec?.taints, pod.tolerations, doNotScheduleTaint);
    return [
      { event: 'Node/Add', hint: (pod, _o, n) => !untolerated(pod, n) },
      {
        event: 'Node/Update',
        hint: (pod, o, n) => !!untolerated(pod, o) && !untolerated(pod, n),
      },
    ];
  }
}

import type { V1Pod, V1TopologySpreadConstraint } from '@app/kube-client';
import {
  andSelectors,
  labelSelectorAsSelector,
  selectorFromLabelKeys,
  selectorFromSet,
  type Selector,
} from '../../api/labels';
import type { RequiredNodeAffinity } from '../../api/node-selector';
import { doNotScheduleTaint, findUntoleratedTaint } from '../../api/tolerations';
import type { NodeInfo } from '../../cache/node-info';
import type { PodInfo } from '../../cache/pod-info';
import type { Listers } from '../../framework/interfaces';

/** topologySpreadConstraint: a pod's constraint with defaults applied and the selector compiled. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

export type WhenUnsatisfiable = 'DoNotSchedule' | 'ScheduleAnyway';

/** The system default constraints (defaultingType: System). */
export const SYSTEM_DEFAULT_CONSTRAINTS: V1TopologySpreadConstraint[] = [
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** filterTopologySpreadConstraints: those with `action`, matchLabelKeys merged into the selector. */
export function constraintsFor(
  constraints: readonly V1TopologySpreadConstraint[] | undefined,
  podLabels: Record<string, string> | undefined,
  action: WhenUnsatisfiable,
): SpreadConstraint[] {
  return (constraints ?? [])
    .filter((c) => c.whenUnsatisfiable === action)
    .map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: andSelectors(
        labelSelectorAsSelector(c.labelSelector),
        selectorFromLabelKeys(c.matchLabelKeys, podLabels),
      ),
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    }));
}

/**
 * helper.DefaultSelector: the selectors of the Services selecting the pod, plus that of its
 * controlling ReplicationController / ReplicaSet / StatefulSet.
 */
export function defaultSelector(pod: V1Pod, listers: Listers): Selector {
  const namespace = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of listers.services(namespace)) {
    const sel = svc.spec?.selector;
    if (sel && Object.keys(sel).length > 0 && selectorFromSet(sel).matches(labels)) {
      Object.assign(set, sel);
    }
  }
  let selector = selectorFromSet(set);
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) {
    return selector;
  }
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = listers.replicationController(namespace, owner.name);
    if (rc?.spec?.selector) {
      selector = selectorFromSet({ ...set, ...rc.spec.selector });
    }
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'ReplicaSet') {
    const rs = listers.replicaSet(namespace, owner.name);
    if (rs?.spec?.selector) {
      selector = andSelectors(selector, labelSelectorAsSelector(rs.spec.selector));
    }
  } else if (owner.apiVersion === 'apps/v1' && owner.kind === 'StatefulSet') {
    const ss = listers.statefulSet(namespace, owner.name);
    if (ss?.spec?.selector) {
      selector = andSelectors(selector, labelSelectorAsSelector(ss.spec.selector));
    }
  }
  return selector;
}

/** The node carries every topology key of `constraints`. */
export function nodeHasAllTopologies(
  node: NodeInfo,
  constraints: readonly SpreadConstraint[],
): boolean {
  const labels = node.labels;
  return (
    labels !== undefined &&
    constraints.every((c) => Object.prototype.hasOwnProperty.call(labels, c.topologyKey))
  );
}

/** matchNodeInclusionPolicies: nodeAffinityPolicy Honor (default), nodeTaintsPolicy Ignore (default). */
export function includesNode(
  c: SpreadConstraint,
  pod: PodInfo,
  node: NodeInfo,
  required: RequiredNodeAffinity,
): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.matches(node.labels, node.name)) {
    return false;
  }
  if (
    c.nodeTaintsPolicy === 'Honor' &&
    findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleTaint)
  ) {
    return false;
  }
  return true;
}

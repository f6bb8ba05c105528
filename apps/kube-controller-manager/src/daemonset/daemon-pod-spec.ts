import type { DaemonSetObject, NodeObject, PodObject, Toleration } from '@app/kube-client';
import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  toleratesTaint,
} from '../util/taints';

type PodSpec = NonNullable<PodObject['spec']>;
type NodeSelectorTerm = {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
  matchFields?: { key: string; operator: string; values?: string[] }[];
};

/**
 * upstream util.AddOrUpdateDaemonPodTolerations: daemon pods ride out node problems —
 * not-ready/unreachable NoExecute (no seconds), pressure and unschedulable NoSchedule, and
 * network-unavailable for host-network pods. The CCM's uninitialized taint is not among them.
 */
export function daemonPodTolerations(spec: PodSpec): Toleration[] {
  const auto: Toleration[] = [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) {
    auto.push({ key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  }
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of auto) {
    const i = tolerations.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0) {
      tolerations[i] = t;
    } else {
      tolerations.push(t);
    }
  }
  return tolerations;
}

/**
 * upstream ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity pins it to
 * one node with `matchFields metadata.name In [<node>]` (the scheduler does the binding).
 */
export function pinToNode(spec: PodSpec, nodeName: string): PodSpec['affinity'] {
  const field = { key: 'metadata.name', operator: 'In', values: [nodeName] };
  const affinity = structuredClone(spec.affinity ?? {});
  const required = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: NodeSelectorTerm[] = required?.nodeSelectorTerms?.length
    ? required.nodeSelectorTerms.map((t) => ({
        ...t,
        matchFields: [...(t.matchFields ?? []).filter((f) => f.key !== 'metadata.name'), field],
      }))
    : [{ matchFields: [field] }];
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
  };
  return affinity;
}

function termMatches(term: NodeSelectorTerm, node: NodeObject): boolean {
  const labels = node.metadata?.labels ?? {};
  const expressionsOk = (term.matchExpressions ?? []).every((r) =>
    requirementMatches(r, labels[r.key], Object.prototype.hasOwnProperty.call(labels, r.key)),
  );
  const fieldsOk = (term.matchFields ?? []).every((r) =>
    r.key === 'metadata.name' ? requirementMatches(r, node.metadata?.name, true) : false,
  );
  return (
    expressionsOk &&
    fieldsOk &&
    ((term.matchExpressions ?? []).length > 0 || (term.matchFields ?? []).length > 0)
  );
}

function requirementMatches(
  r: { operator: string; values?: string[] },
  value: string | undefined,
  has: boolean,
): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value ?? '');
    case 'NotIn':
      return !has || !values.includes(value ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(value) > Number(values[0]);
    case 'Lt':
      return has && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** upstream nodeaffinity: `nodeSelector` labels and the required node affinity terms (ORed). */
export function nodeMatchesPodAffinity(spec: PodSpec, node: NodeObject): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    if (labels[k] !== v) {
      return false;
    }
  }
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) {
    return true;
  }
  return (terms as NodeSelectorTerm[]).some((t) => termMatches(t, node));
}

/**
 * upstream NodeShouldRunDaemonPod: should a daemon pod run on the node (affinity and
 * NoSchedule/NoExecute taints tolerated, auto tolerations included), and may an existing one
 * stay (only untolerated NoExecute taints evict it).
 */
export function nodeShouldRunDaemonPod(
  ds: DaemonSetObject,
  node: NodeObject,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec ?? { containers: [] };
  if (!nodeMatchesPodAffinity(spec, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const tolerations = daemonPodTolerations(spec);
  let shouldRun = true;
  let shouldContinueRunning = true;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') {
      continue;
    }
    if (tolerations.some((t) => toleratesTaint(t, taint))) {
      continue;
    }
    shouldRun = false;
    if (taint.effect === 'NoExecute') {
      shouldContinueRunning = false;
    }
  }
  return { shouldRun, shouldContinueRunning };
}

import type { V1Pod, V1PodAffinityTerm, V1Toleration } from '@app/kube-client';
import { labelSelectorAsSelector, nothing, type Labels, type Selector } from '../api/labels';
import { hostPortsOf, podKey, podPriority, type HostPort } from '../api/pod-helpers';
import { podRequests, type Resource } from '../api/resources';

/** framework.AffinityTerm: namespaces + namespace selector + label selector + topology key. */
export interface AffinityTerm {
  namespaces: Set<string>;
  namespaceSelector: Selector;
  selector: Selector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** AffinityTerm.Matches: the pod's namespace is selected and its labels match. */
export function affinityTermMatches(term: AffinityTerm, pod: PodInfo, nsLabels: Labels): boolean {
  return (
    (term.namespaces.has(pod.namespace) || term.namespaceSelector.matches(nsLabels)) &&
    term.selector.matches(pod.labels)
  );
}

function compileTerm(owner: V1Pod, t: V1PodAffinityTerm): AffinityTerm {
  const namespaces =
    (t.namespaces ?? []).length === 0 && !t.namespaceSelector
      ? new Set([owner.metadata?.namespace ?? ''])
      : new Set(t.namespaces ?? []);
  return {
    namespaces,
    namespaceSelector: t.namespaceSelector ? labelSelectorAsSelector(t.namespaceSelector) : nothing,
    selector: labelSelectorAsSelector(t.labelSelector),
    topologyKey: t.topologyKey,
  };
}

/**
 * framework.PodInfo: a pod with everything the plugins read parsed once (requests, host ports,
 * affinity terms), since filters run per node and scores per feasible node.
 */
export class PodInfo {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly priority: number;
  /** Requests as the fit filter counts them (no defaults). */
  readonly requests: Resource;
  /** cpu (millicores) and memory with the scoring defaults for containers without requests. */
  readonly nonZeroCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: HostPort[];
  readonly tolerations: readonly V1Toleration[];
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];
  /** Has a deletionTimestamp (skipped by spreading counts and preemption). */
  readonly terminating: boolean;

  constructor(readonly pod: V1Pod) {
    const meta = pod.metadata ?? {};
    this.key = podKey(pod);
    this.uid = meta.uid ?? this.key;
    this.namespace = meta.namespace ?? '';
    this.name = meta.name ?? '';
    this.labels = meta.labels;
    this.priority = podPriority(pod);
    this.requests = podRequests(pod);
    const nonZero = podRequests(pod, true);
    this.nonZeroCPU = nonZero.milliCPU;
    this.nonZeroMemory = nonZero.memory;
    this.hostPorts = hostPortsOf(pod);
    this.tolerations = pod.spec?.tolerations ?? [];
    this.terminating = !!meta.deletionTimestamp;
    const affinity = pod.spec?.affinity;
    const podAffinity = affinity?.podAffinity;
    const antiAffinity = affinity?.podAntiAffinity;
    this.requiredAffinityTerms = (
      podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((t) => compileTerm(pod, t));
    this.requiredAntiAffinityTerms = (
      antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((t) => compileTerm(pod, t));
    this.preferredAffinityTerms = (
      podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((w) => ({ ...compileTerm(pod, w.podAffinityTerm), weight: w.weight }));
    this.preferredAntiAffinityTerms = (
      antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((w) => ({ ...compileTerm(pod, w.podAffinityTerm), weight: w.weight }));
  }

  /** Any affinity or anti-affinity (NodeInfo.PodsWithAffinity). */
  get hasAffinity(): boolean {
    return (
      this.requiredAffinityTerms.length > 0 ||
      this.requiredAntiAffinityTerms.length > 0 ||
      this.preferredAffinityTerms.length > 0 ||
      this.preferredAntiAffinityTerms.length > 0
    );
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }

  /** The same pod at another version (re-parsed). */
  withPod(pod: V1Pod): PodInfo {
    return new PodInfo(pod);
  }
}

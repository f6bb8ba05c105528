import type { V1Node, V1Taint } from '@app/kube-client';
import type { Labels, Selector } from '../api/labels';
import type { HostPort } from '../api/pod-helpers';
import {
  addResource,
  emptyResource,
  resourceFromList,
  subtractResource,
  type Resource,
} from '../api/resources';
import type { PodInfo } from './pod-info';

let generationCounter = 0;
/** framework.nextGeneration: a process-wide counter, so any change gives a NodeInfo a new value. */
const nextGeneration = (): number => ++generationCounter;

/** At most this many memoised selector counts per node and namespace (distinct spreading selectors). */
const MAX_MEMOISED_COUNTS = 64;

/**
 * framework.NodeInfo: a node with the aggregate of the pods on it (bound, or assumed by this
 * scheduler): requests, host ports, affinity bookkeeping. Plugins read these instead of walking
 * pods, which is what keeps one scheduling attempt cheap on 1,000 nodes.
 */
export class NodeInfo {
  node: V1Node | undefined;
  labels: Labels = undefined;
  taints: readonly V1Taint[] = [];
  unschedulable = false;
  allocatable: Resource = emptyResource();
  /** Image name → size in bytes (from `status.images`). */
  images = new Map<string, number>();
  readonly pods: PodInfo[] = [];
  readonly requested: Resource = emptyResource();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** `protocol/port` → ip → count (HostPortInfo). */
  private readonly usedPorts = new Map<string, Map<string, number>>();
  /** Memoised countMatching: namespace → selector key → count at a generation. */
  private readonly counts = new Map<string, Map<string, { generation: number; count: number }>>();
  generation = nextGeneration();

  constructor(readonly name: string) {}

  setNode(node: V1Node): void {
    this.node = node;
    this.labels = node.metadata?.labels;
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = resourceFromList(node.status?.allocatable ?? node.status?.capacity);
    this.images = new Map();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) {
        this.images.set(name, image.sizeBytes ?? 0);
      }
    }
    this.generation = nextGeneration();
  }

  clearNode(): void {
    this.node = undefined;
    this.generation = nextGeneration();
  }

  addPod(pod: PodInfo): void {
    this.pods.push(pod);
    this.account(pod, 1);
  }

  /** Removes the pod with `uid`; false when it is not on this node. */
  removePod(uid: string): PodInfo | undefined {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) {
      return undefined;
    }
    const [pod] = this.pods.splice(i, 1);
    this.account(pod, -1);
    return pod;
  }

  private account(pod: PodInfo, sign: 1 | -1): void {
    if (sign > 0) {
      addResource(this.requested, pod.requests);
    } else {
      subtractResource(this.requested, pod.requests);
    }
    this.nonZeroCPU += sign * pod.nonZeroCPU;
    this.nonZeroMemory += sign * pod.nonZeroMemory;
    if (pod.hasAffinity) {
      this.podsWithAffinity += sign;
    }
    if (pod.hasRequiredAntiAffinity) {
      this.podsWithRequiredAntiAffinity += sign;
    }
    for (const hp of pod.hostPorts) {
      this.usePort(hp, sign);
    }
    this.generation = nextGeneration();
  }

  private usePort(hp: HostPort, sign: 1 | -1): void {
    const key = `${hp.protocol}/${hp.port}`;
    let ips = this.usedPorts.get(key);
    if (!ips) {
      ips = new Map();
      this.usedPorts.set(key, ips);
    }
    const n = (ips.get(hp.ip) ?? 0) + sign;
    if (n > 0) {
      ips.set(hp.ip, n);
    } else {
      ips.delete(hp.ip);
      if (ips.size === 0) {
        this.usedPorts.delete(key);
      }
    }
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address of the same protocol/port. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) {
      return false;
    }
    return hp.ip === '0.0.0.0' ? ips.size > 0 : ips.has(hp.ip) || ips.has('0.0.0.0');
  }

  /**
   * countPodsMatchSelector: pods of `namespace` (not terminating) matching `selector`, memoised
   * until the node changes (spreading asks the same question for every pod of a workload).
   */
  countMatching(selector: Selector, namespace: string): number {
    if (selector.empty || !selector.matchesAnything) {
      return 0;
    }
    // Keyed by namespace, then selector text: no key string is built per call (Score asks this for
    // every feasible node of every pod).
    let byNamespace = this.counts.get(namespace);
    const memo = byNamespace?.get(selector.key);
    if (memo && memo.generation === this.generation) {
      return memo.count;
    }
    let count = 0;
    for (const p of this.pods) {
      if (!p.terminating && p.namespace === namespace && selector.matches(p.labels)) {
        count++;
      }
    }
    if (!byNamespace || byNamespace.size >= MAX_MEMOISED_COUNTS) {
      byNamespace = new Map();
      this.counts.set(namespace, byNamespace);
    }
    byNamespace.set(selector.key, { generation: this.generation, count });
    return count;
  }

  /** A copy whose pods can be removed without touching this one (preemption's dry run). */
  clone(): NodeInfo {
    const copy = new NodeInfo(this.name);
    if (this.node) {
      copy.setNode(this.node);
    }
    for (const p of this.pods) {
      copy.addPod(p);
    }
    return copy;
  }
}

import type { V1Node, V1Pod } from '@app/kube-client';
import { NodeInfo } from './node-info';
import { NodeTree } from './node-tree';
import { PodInfo } from './pod-info';

/** The change log is restarted past this many entries (readers then recount from scratch). */
const MAX_LOGGED_CHANGES = 65_536;

interface PodState {
  pod: PodInfo;
  node: string;
  /** Placed by this scheduler, not yet seen bound by the informer. */
  assumed: boolean;
}

/**
 * The scheduler's cache (pkg/scheduler/backend/cache): nodes and the pods on them, including pods
 * this scheduler has *assumed* onto a node before the informer confirms the binding, so the next
 * scheduling attempt already sees their requests. JavaScript runs one attempt at a time, so the
 * cache itself is the snapshot an attempt reads (upstream copies it per cycle).
 */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly tree = new NodeTree();
  private readonly pods = new Map<string, PodState>();
  /** Image name → how many nodes list it (ImageLocality's spread). */
  private readonly imageNodes = new Map<string, number>();
  private list: NodeInfo[] | undefined;
  /** Names of nodes whose NodeInfo changed, oldest first; `changeBase` numbers `changes[0]`. */
  private changes: string[] = [];
  private changeBase = 0;

  /** Nodes in zone round-robin order (the snapshot's nodeInfoList). */
  nodeList(): NodeInfo[] {
    this.list ??= this.tree.list().map((n) => this.nodes.get(n) as NodeInfo);
    return this.list;
  }

  get numNodes(): number {
    return this.tree.size;
  }

  /** The position of "now" in the change log: `changedNodesSince` takes it back. */
  get changeSeq(): number {
    return this.changeBase + this.changes.length;
  }

  /**
   * The nodes (added, removed, relabelled, or whose pods changed) since `seq`, repeats included;
   * undefined when the log no longer reaches that far back (recount everything then).
   */
  changedNodesSince(seq: number): readonly string[] | undefined {
    if (seq < this.changeBase || seq > this.changeSeq) {
      return undefined;
    }
    return this.changes.slice(seq - this.changeBase);
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const info = this.nodes.get(name);
    return info?.node ? info : undefined;
  }

  nodesWithPodsWithAffinity(): NodeInfo[] {
    return this.nodeList().filter((n) => n.podsWithAffinity > 0);
  }

  nodesWithPodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.nodeList().filter((n) => n.podsWithRequiredAntiAffinity > 0);
  }

  /** Nodes listing `image` in their status. */
  imageSpread(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  addNode(node: V1Node): NodeInfo {
    const name = node.metadata?.name ?? '';
    const info = this.infoFor(name);
    if (info.node) {
      this.countImages(info, -1);
    }
    info.setNode(node);
    this.countImages(info, 1);
    this.tree.add(node);
    this.list = undefined;
    this.logChange(name);
    return info;
  }

  updateNode(node: V1Node): NodeInfo {
    return this.addNode(node);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) {
      return;
    }
    if (info.node) {
      this.countImages(info, -1);
    }
    info.clearNode();
    this.tree.remove(name);
    this.list = undefined;
    this.logChange(name);
    // Pods still bound there keep the entry until they are gone (upstream's ghost node).
    if (info.pods.length === 0) {
      this.nodes.delete(name);
    }
  }

  /** The informer saw a bound pod: add it, or confirm this scheduler's assumption. */
  addPod(pod: V1Pod): void {
    const info = new PodInfo(pod);
    const state = this.pods.get(info.uid);
    if (state) {
      this.replace(state, info);
      state.assumed = false;
      return;
    }
    this.place(info, pod.spec?.nodeName ?? '', false);
  }

  updatePod(pod: V1Pod): void {
    const info = new PodInfo(pod);
    const state = this.pods.get(info.uid);
    if (!state) {
      this.place(info, pod.spec?.nodeName ?? '', false);
      return;
    }
    this.replace(state, info);
    state.assumed = false;
  }

  removePod(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const state = this.pods.get(uid);
    if (state) {
      this.unplace(uid, state);
    }
  }

  /** AssumePod: account `pod` on `node` now; the binding happens asynchronously. */
  assumePod(pod: PodInfo, node: string): PodInfo {
    const assumed = new PodInfo({ ...pod.pod, spec: { ...pod.pod.spec!, nodeName: node } });
    if (this.pods.has(assumed.uid)) {
      throw new Error(`pod ${assumed.key} (${assumed.uid}) is in the cache, so can't be assumed`);
    }
    this.place(assumed, node, true);
    return assumed;
  }

  /** ForgetPod: undo an assumption whose binding failed. */
  forgetPod(uid: string): void {
    const state = this.pods.get(uid);
    if (state?.assumed) {
      this.unplace(uid, state);
    }
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  /** The pods the cache holds (assumed included), for tests and dumps. */
  podCount(): number {
    return this.pods.size;
  }

  private place(pod: PodInfo, node: string, assumed: boolean): void {
    this.infoFor(node).addPod(pod);
    this.pods.set(pod.uid, { pod, node, assumed });
    this.logChange(node);
  }

  private replace(state: PodState, pod: PodInfo): void {
    const node = pod.pod.spec?.nodeName || state.node;
    this.nodes.get(state.node)?.removePod(state.pod.uid);
    this.cleanupGhost(state.node);
    this.infoFor(node).addPod(pod);
    this.logChange(state.node);
    if (node !== state.node) {
      this.logChange(node);
    }
    state.pod = pod;
    state.node = node;
  }

  private unplace(uid: string, state: PodState): void {
    this.nodes.get(state.node)?.removePod(uid);
    this.pods.delete(uid);
    this.cleanupGhost(state.node);
    this.logChange(state.node);
  }

  private logChange(node: string): void {
    if (this.changes.length >= MAX_LOGGED_CHANGES) {
      this.changeBase += this.changes.length;
      this.changes = [];
    }
    this.changes.push(node);
  }

  private cleanupGhost(name: string): void {
    const info = this.nodes.get(name);
    if (info && !info.node && info.pods.length === 0) {
      this.nodes.delete(name);
    }
  }

  private infoFor(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.nodes.set(name, info);
    }
    return info;
  }

  private countImages(info: NodeInfo, sign: 1 | -1): void {
    for (const name of info.images.keys()) {
      const n = (this.imageNodes.get(name) ?? 0) + sign;
      if (n > 0) {
        this.imageNodes.set(name, n);
      } else {
        this.imageNodes.delete(name);
      }
    }
  }
}

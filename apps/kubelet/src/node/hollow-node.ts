import type { TargetedPort } from '../pods/targeted-ports';
import { randomUUID } from 'node:crypto';
import {
  EventType,
  errorMessage,
  type EventRecorder,
  type Logger,
  type Scheduler,
  type TimerHandle,
} from '@app/controller-runtime';
import { isConflict, type KubeRest, type NodeObject, type PodObject } from '@app/kube-client';
import { NodePods } from '../pods/node-pods';
import type { PodStatusWriter } from '../pods/pod-status-writer';
import { stableJson } from '../stable-json';
import { imageDigest, repositoryOf } from '../pods/images';
import { KUBELET_PORT, NODE_STATUS_MAX_IMAGES } from '../versions';
import { RUNTIME_HANDLERS, nodeInfoOf, resourcesOf, type Machine } from './machine';
import { conditionsChanged, kubeletNodeConditions } from './node-conditions';
import { NodeLease } from './node-lease';
import { heartbeatTimeoutMs, type KubeletSettings } from '../settings';
import type { PodVolumeState } from '../volumes/pod-volumes';

export const UNINITIALIZED_TAINT = {
  key: 'node.cloudprovider.kubernetes.io/uninitialized',
  value: 'true',
  effect: 'NoSchedule',
};
const CMAD_ANNOTATION = 'volumes.kubernetes.io/controller-managed-attach-detach';

export interface HollowNodeDeps {
  rest: KubeRest;
  settings: KubeletSettings;
  /** The node's events recorder (source `kubelet`, host = node name). */
  recorder: EventRecorder;
  writer: PodStatusWriter;
  /** Timers on the cluster clock. */
  scheduler: Scheduler;
  logger: Logger;
  /** The Node as the shared informer has it. */
  cachedNode(): NodeObject | undefined;
  /** The pods bound to this node, as the shared informer has them. */
  cachedPods(): PodObject[];
  /** The volume manager's view of a pod's claims on a node. */
  podVolumes(pod: PodObject, nodeName: string): PodVolumeState;
  /** A pod of this node got its volumes mounted. */
  podMounted(node: HollowNode, pod: PodObject): void;
  /** The ports Services target on a pod. */
  targetedPorts(podUid: string): TargetedPort[];
}

/**
 * One simulated kubelet (a kubemark "hollow node" without the real kubelet code): registers the
 * Node as a kubelet with `--cloud-provider=external` does, keeps its status (every
 * `--node-status-update-frequency`, written on change or every `--node-status-report-frequency`)
 * and its Lease current, and runs the pods bound to it. `stop()` is the machine going down:
 * everything stops at once, nothing more is written.
 */
export class HollowNode {
  private readonly lease: NodeLease;
  /** Lease renewals and status updates: the heartbeat client, with its shorter timeout. */
  private readonly heartbeat: KubeRest;
  readonly pods: NodePods;
  private bootId: string = randomUUID();
  private statusTimer: TimerHandle | undefined;
  private running = false;
  private lastWritten: NodeObject | undefined;
  private lastReportAt = 0;
  private readonly images = new Map<string, number>();
  private statusLoop: Promise<void> | undefined;
  private statusAgain = false;
  /** `spec.unschedulable` as last reported with NodeSchedulable / NodeNotSchedulable. */
  private lastUnschedulable = false;
  private nodeUid: string | undefined;
  /** Bumped by every start and stop, so a start still registering knows it was superseded. */
  private generation = 0;
  private podsStarted = false;

  constructor(
    readonly machine: Machine,
    private readonly deps: HollowNodeDeps,
  ) {
    this.heartbeat = deps.rest.withTimeout(heartbeatTimeoutMs(deps.settings));
    this.lease = new NodeLease({
      rest: this.heartbeat,
      nodeName: machine.nodeName,
      leaseDurationSeconds: deps.settings.nodeLeaseDurationSeconds,
      scheduler: deps.scheduler,
      logger: deps.logger,
      nodeUid: () => this.nodeUid,
    });
    this.pods = new NodePods({
      nodeName: machine.nodeName,
      rest: deps.rest,
      writer: deps.writer,
      recorder: deps.recorder,
      scheduler: deps.scheduler,
      logger: deps.logger,
      imagePullMs: deps.settings.imagePullDurationMs,
      containerStopMs: deps.settings.containerStopDurationMs,
      allocatable: () => resourcesOf(machine, deps.settings.maxPods).allocatable,
      hostIp: () => this.hostIp(),
      imagePulled: (image, size) => this.imagePulled(image, size),
      imagePresent: (image) => this.images.has(image),
      volumes: (pod) => deps.podVolumes(pod, machine.nodeName),
      volumesChanged: () => this.volumesMayHaveChanged(),
      podMounted: (pod) => deps.podMounted(this, pod),
      targetedPorts: deps.targetedPorts,
    });
  }

  /** The recorder of this node's kubelet (source `kubelet`, host = node). */
  get recorder(): EventRecorder {
    return this.deps.recorder;
  }

  /**
   * The node's volumes in use may differ from what it reported: report at once (the
   * attach/detach controller waits for `status.volumesInUse` before it detaches).
   */
  volumesMayHaveChanged(): void {
    if (!this.running || !this.podsStarted) {
      return;
    }
    const reported = this.baseNode()?.status?.volumesInUse ?? [];
    if (stableJson(reported) !== stableJson(this.pods.volumesInUse())) {
      this.scheduleStatus(0);
    }
  }

  get name(): string {
    return this.machine.nodeName;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Boots: Starting event, registration, status and lease loops, then the pods. */
  async start(options: { rebooted: boolean }): Promise<void> {
    const generation = ++this.generation;
    this.running = true;
    this.bootId = randomUUID();
    this.nodeEvent('Starting', 'Starting kubelet.');
    const node = await this.register(options.rebooted);
    if (!this.running || generation !== this.generation) {
      return;
    }
    this.nodeUid = node?.metadata?.uid;
    this.nodeEvent('NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    this.lease.start();
    this.scheduleStatus(0);
    this.pods.start(
      this.deps.cachedPods(),
      this.podCidrOf(this.deps.cachedNode() ?? node),
      options.rebooted ? this.deps.scheduler.now() : undefined,
    );
    this.podsStarted = true;
  }

  /** Pods are handed to this node (it registered and took over the pods it had). */
  get acceptsPods(): boolean {
    return this.running && this.podsStarted;
  }

  /** The machine went down (stopped, crashed, terminated): no more heartbeats or writes. */
  async stop(): Promise<void> {
    this.generation++;
    this.running = false;
    this.podsStarted = false;
    this.statusTimer?.cancel();
    await Promise.all([this.pods.stop(), this.lease.stop(), this.statusLoop]);
  }

  /** The Node changed in the informer: a new pod CIDR or addresses reach the pods at once. */
  nodeChanged(node: NodeObject): void {
    if (!this.running) {
      return;
    }
    this.nodeUid ??= node.metadata?.uid;
    const cidr = this.podCidrOf(node);
    const before = this.podCidrOf(this.lastWritten);
    this.pods.setPodCidr(cidr);
    if (
      (cidr && cidr !== before && !this.hasNetwork(this.lastWritten)) ||
      (node.spec?.unschedulable ?? false) !== this.lastUnschedulable
    ) {
      // The network plugin just got its pod CIDR, or the node was (un)cordoned: report it now
      // rather than at the next tick.
      this.scheduleStatus(0);
    }
    this.pods.resyncAll();
  }

  private hostIp(): string | undefined {
    const node = this.deps.cachedNode() ?? this.lastWritten;
    const internal = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return internal ?? this.machine.privateIp;
  }

  private podCidrOf(node: NodeObject | undefined): string | undefined {
    return node?.spec?.podCIDRs?.[0] ?? node?.spec?.podCIDR;
  }

  private hasNetwork(node: NodeObject | undefined): boolean {
    return this.podCidrOf(node) !== undefined;
  }

  // --- registration --------------------------------------------------------------------

  private initialNode(): NodeObject {
    const { machine, deps } = this;
    const { capacity, allocatable } = resourcesOf(machine, deps.settings.maxPods);
    const { conditions } = kubeletNodeConditions(undefined, false, deps.scheduler.now());
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: machine.nodeName,
        labels: this.defaultLabels(),
        annotations: { [CMAD_ANNOTATION]: 'true' },
      },
      spec: { taints: [UNINITIALIZED_TAINT] },
      status: {
        conditions,
        capacity,
        allocatable,
        daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
        nodeInfo: nodeInfoOf(machine, this.bootId),
        images: [],
        runtimeHandlers: RUNTIME_HANDLERS,
      } as unknown as NodeObject['status'],
    };
  }

  private defaultLabels(): Record<string, string> {
    const { machine, deps } = this;
    return {
      'beta.kubernetes.io/arch': machine.architecture,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': machine.architecture,
      'kubernetes.io/hostname': machine.nodeName,
      'kubernetes.io/os': 'linux',
      ...deps.settings.nodeLabels,
    };
  }

  /**
   * registerWithAPIServer: POST the Node with its status; on 409 reconcile the existing one
   * (default labels, the controller-managed-attach-detach annotation) as upstream does, and
   * record `Rebooted` when it carried another boot ID.
   */
  private async register(rebooted: boolean): Promise<NodeObject | undefined> {
    const { rest, logger } = this.deps;
    const initial = this.initialNode();
    for (let attempt = 0; this.running; attempt++) {
      try {
        const created = await rest.create<NodeObject>('/api/v1/nodes', initial);
        this.lastWritten = created;
        this.lastReportAt = this.deps.scheduler.now();
        for (const event of [
          'NodeHasSufficientMemory',
          'NodeHasNoDiskPressure',
          'NodeHasSufficientPID',
        ]) {
          this.statusEvent(event);
        }
        return created;
      } catch (err) {
        if (isConflict(err)) {
          return this.reconcileExisting(rebooted);
        }
        logger.warn(
          { node: this.name, err: errorMessage(err) },
          'Unable to register node with API server',
        );
        await new Promise((r) => setTimeout(r, Math.min(7000, 200 * 2 ** attempt)).unref());
      }
    }
    return undefined;
  }

  private async reconcileExisting(rebooted: boolean): Promise<NodeObject | undefined> {
    const { rest } = this.deps;
    const path = `/api/v1/nodes/${encodeURIComponent(this.name)}`;
    const existing = await rest.get<NodeObject>(path);
    const labels = existing.metadata?.labels ?? {};
    const missing = Object.fromEntries(
      Object.entries(this.defaultLabels()).filter(([k, v]) => labels[k] !== v),
    );
    const annotations = existing.metadata?.annotations ?? {};
    const patch: Record<string, unknown> = {};
    if (Object.keys(missing).length > 0) {
      patch.labels = missing;
    }
    if (annotations[CMAD_ANNOTATION] !== 'true') {
      patch.annotations = { [CMAD_ANNOTATION]: 'true' };
    }
    let node = existing;
    if (Object.keys(patch).length > 0) {
      node = await rest.patch<NodeObject>(path, { metadata: patch }, 'strategic');
    }
    const previousBoot = existing.status?.nodeInfo?.bootID;
    if (!rebooted && previousBoot) {
      // The kubelet process restarted, the machine did not: keep its boot ID. (After a real
      // reboot the next status write records `Rebooted`.)
      this.bootId = previousBoot;
    }
    this.lastWritten = node;
    return node;
  }

  // --- status --------------------------------------------------------------------------

  private scheduleStatus(delayMs: number): void {
    if (!this.running) {
      return;
    }
    this.statusTimer?.cancel();
    this.statusTimer = this.deps.scheduler.setTimer(() => this.runStatus(), delayMs);
  }

  /** One status update at a time; a request during one runs right after it. */
  private runStatus(): void {
    if (this.statusLoop) {
      this.statusAgain = true;
      return;
    }
    this.statusLoop = this.updateStatus()
      .catch((err: unknown) =>
        this.deps.logger.warn(
          { node: this.name, err: errorMessage(err) },
          'Error updating node status',
        ),
      )
      .finally(() => {
        this.statusLoop = undefined;
        const again = this.statusAgain;
        this.statusAgain = false;
        this.scheduleStatus(again ? 0 : this.deps.settings.nodeStatusUpdateFrequencyMs);
      });
  }

  /** The node this kubelet last knows: the informer's, unless its own write is newer. */
  private baseNode(): NodeObject | undefined {
    const cached = this.deps.cachedNode();
    const rv = (n: NodeObject | undefined) => Number(n?.metadata?.resourceVersion ?? 0);
    if (!cached) {
      return this.lastWritten;
    }
    return this.lastWritten && rv(this.lastWritten) > rv(cached) ? this.lastWritten : cached;
  }

  /** tryUpdateNodeStatus: run the setters, PATCH nodes/<name>/status when worth it. */
  private async updateStatus(): Promise<void> {
    const base = this.baseNode();
    if (!base || !this.running) {
      return;
    }
    const now = this.deps.scheduler.now();
    const { conditions, events } = kubeletNodeConditions(
      base.status?.conditions,
      this.hasNetwork(this.deps.cachedNode() ?? base),
      now,
    );
    const { capacity, allocatable } = resourcesOf(this.machine, this.deps.settings.maxPods);
    const rest = {
      capacity,
      allocatable,
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: nodeInfoOf(this.machine, this.bootId),
      images: this.imageList(),
    };
    const previousBoot = base.status?.nodeInfo?.bootID;
    const volumesInUse = this.pods.volumesInUse();
    const changed =
      conditionsChanged(base.status?.conditions, conditions) ||
      stableJson(base.status?.volumesInUse ?? []) !== stableJson(volumesInUse) ||
      stableJson(pick(base.status, Object.keys(rest))) !== stableJson(rest);
    const due = now - this.lastReportAt >= this.deps.settings.nodeStatusReportFrequencyMs;
    if (!changed && !due) {
      this.recordSchedulable(this.deps.cachedNode() ?? base);
      return;
    }
    const own = conditions.filter((c) =>
      ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].includes(c.type),
    );
    const written = await this.heartbeat.patch<NodeObject>(
      `/api/v1/nodes/${encodeURIComponent(this.name)}/status`,
      {
        status: {
          conditions: own,
          ...rest,
          volumesInUse: volumesInUse.length > 0 ? volumesInUse : null,
        },
      },
      'strategic',
    );
    if (!this.running) {
      return;
    }
    this.lastWritten = written;
    this.nodeUid = written.metadata?.uid;
    this.lastReportAt = now;
    if (previousBoot && previousBoot !== this.bootId) {
      this.nodeEvent(
        'Rebooted',
        `Node ${this.name} has been rebooted, boot id: ${this.bootId}`,
        EventType.Warning,
      );
    }
    for (const event of events) {
      this.statusEvent(event);
    }
    this.recordSchedulable(this.deps.cachedNode() ?? written);
  }

  /** upstream recordNodeSchedulableEvent (the last setter): cordon and uncordon. */
  private recordSchedulable(node: NodeObject): void {
    const unschedulable = node.spec?.unschedulable ?? false;
    if (unschedulable !== this.lastUnschedulable) {
      this.statusEvent(unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable');
      this.lastUnschedulable = unschedulable;
    }
  }

  private imagePulled(image: string, sizeBytes: number): void {
    if (!this.images.has(image)) {
      this.images.set(image, sizeBytes);
      this.scheduleStatus(0);
    }
  }

  /** `status.images`: biggest first, at most 50, each by digest and by tag. */
  private imageList(): { names: string[]; sizeBytes: number }[] {
    return [...this.images.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, NODE_STATUS_MAX_IMAGES)
      .map(([image, sizeBytes]) => ({
        names: [`${repositoryOf(image)}@${imageDigest(image)}`, image],
        sizeBytes,
      }));
  }

  // --- events --------------------------------------------------------------------------

  /** upstream recordNodeStatusEvent: `Node <name> status is now: <event>`. */
  private statusEvent(event: string): void {
    this.nodeEvent(event, `Node ${this.name} status is now: ${event}`);
  }

  /** Node events carry the node name as UID, as the kubelet's nodeRef does. */
  private nodeEvent(reason: string, message: string, type: EventType = EventType.Normal): void {
    this.deps.recorder.event(
      { kind: 'Node', name: this.name, uid: this.name },
      type,
      reason,
      message,
    );
  }
}

function pick(obj: unknown, keys: string[]): Record<string, unknown> {
  const o = (obj ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

import { bytesOf, milliCpu } from '@app/common';
import type { EventRecorder, Logger, Scheduler } from '@app/controller-runtime';
import type { KubeRest, PodObject } from '@app/kube-client';
import { Backoff } from './backoff';
import { PodIpAllocator } from './pod-ips';
import { PodResponder } from './pod-responder';
import type { TargetedPort } from './targeted-ports';
import { podRequests } from './pod-resources';
import { PodSim, type PodSimEnv } from './pod-sim';
import type { PodStatusWriter } from './pod-status-writer';
import { PodWorker } from './pod-worker';
import { claimVolumesOf, type PodVolumeState } from '../volumes/pod-volumes';

export interface NodePodsDeps {
  nodeName: string;
  rest: KubeRest;
  writer: PodStatusWriter;
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
  imagePullMs: number;
  containerStopMs: number;
  /** The node's allocatable (admission). */
  allocatable(): Record<string, string>;
  hostIp(): string | undefined;
  /** Images pulled onto the node (reported in `status.images`). */
  imagePulled(image: string, sizeBytes: number): void;
  imagePresent(image: string): boolean;
  /** The pod's claims on this node (volume manager). */
  volumes(pod: PodObject): PodVolumeState;
  /** The volumes the node's pods use may have changed (`status.volumesInUse`). */
  volumesChanged(): void;
  /** A pod got its volumes mounted (claims waiting for the node's expansion step may go on). */
  podMounted(pod: PodObject): void;
  /** The ports Services target on a pod (its responder serves them too). */
  targetedPorts(podUid: string): TargetedPort[];
}

const isTerminal = (pod: PodObject) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * The pods of one simulated node: a worker per pod, the node's pod IP range (from its pod CIDR),
 * the kubelet's resource admission, the crash/pull back-off shared by its containers.
 */
export class NodePods {
  private readonly workers = new Map<string, PodWorker>();
  private readonly backoff = new Backoff();
  private ips: PodIpAllocator | undefined;
  /** When the node booted (set for the first pass after a reboot: containers died). */
  private bootedAt: number | undefined;

  constructor(private readonly deps: NodePodsDeps) {}

  /** Takes over the pods found on the node at start (after a reboot their containers died). */
  start(pods: readonly PodObject[], podCidr: string | undefined, rebootedAt?: number): void {
    this.bootedAt = rebootedAt;
    this.setPodCidr(podCidr);
    for (const pod of pods) {
      this.upsert(pod);
    }
    this.bootedAt = undefined;
  }

  /** The machine stopped: every worker stops (its ports close), nothing is written. */
  async stop(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.dispose()));
  }

  /** The node's pod CIDR appeared (the node-ipam controller set it). */
  setPodCidr(cidr: string | undefined): void {
    if (!cidr || this.ips?.cidr === cidr) {
      return;
    }
    try {
      this.ips = new PodIpAllocator(cidr);
    } catch (err) {
      this.deps.logger.warn(
        { node: this.deps.nodeName, cidr, err: String(err) },
        'unusable pod CIDR',
      );
      return;
    }
    for (const worker of this.workers.values()) {
      const ip = worker.simulation.ip;
      if (ip && !worker.simulation.terminal && !worker.current.spec?.hostNetwork) {
        this.ips.reserve(ip);
      }
    }
    this.resyncAll();
  }

  /** Something one pod depends on changed (the ports Services send it). */
  resync(uid: string): void {
    this.workers.get(uid)?.queueSync();
  }

  /** Something every pod may depend on changed (addresses, pod CIDR). */
  resyncAll(): void {
    for (const worker of this.workers.values()) {
      worker.queueSync();
    }
  }

  upsert(pod: PodObject): void {
    const uid = pod.metadata?.uid ?? '';
    const existing = this.workers.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    const sim = new PodSim(pod, this.env());
    if (pod.status?.startTime) {
      if (pod.status.podIP && !isTerminal(pod) && !pod.spec?.hostNetwork) {
        this.ips?.reserve(pod.status.podIP);
      }
      sim.adopt(pod, this.bootedAt);
    } else if (!isTerminal(pod) && !pod.metadata?.deletionTimestamp) {
      const refusal = this.admit(pod);
      if (refusal) {
        sim.reject(refusal.reason, refusal.message, this.deps.scheduler.now());
        this.deps.recorder.event(
          {
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: pod.metadata?.namespace,
            name: pod.metadata?.name,
            uid,
          },
          'Warning',
          refusal.reason,
          refusal.message.replace(/^Pod was rejected: /, ''),
        );
      }
    }
    const worker = new PodWorker(pod, sim, {
      rest: this.deps.rest,
      writer: this.deps.writer,
      recorder: this.deps.recorder,
      scheduler: this.deps.scheduler,
      logger: this.deps.logger,
      responder: new PodResponder(this.deps.nodeName, this.deps.logger),
      targetedPorts: this.deps.targetedPorts,
      onDeleted: (gone) => this.remove(gone),
      onMounted: (mounted) => this.deps.podMounted(mounted),
    });
    this.workers.set(uid, worker);
    worker.queueSync();
    if (claimVolumesOf(pod).length > 0) {
      this.deps.volumesChanged();
    }
  }

  /** The pod left the API (or the node): its worker stops and its IP is released. */
  remove(uid: string): void {
    const worker = this.workers.get(uid);
    if (worker) {
      void worker.dispose();
      this.workers.delete(uid);
      this.deps.writer.forget(uid);
      if (claimVolumesOf(worker.current).length > 0) {
        this.deps.volumesChanged();
      }
    }
  }

  /** A claim, volume or attachment changed: pods waiting for their volumes look again. */
  resyncClaimPods(): void {
    for (const worker of this.workers.values()) {
      if (claimVolumesOf(worker.current).length > 0) {
        worker.queueSync();
      }
    }
  }

  /**
   * `status.volumesInUse`: the attachable volumes of the pods the node runs (terminal pods have
   * unmounted theirs), sorted, as the volume manager reports them.
   */
  volumesInUse(): string[] {
    const inUse = new Set<string>();
    for (const worker of this.workers.values()) {
      if (!worker.simulation.terminal && claimVolumesOf(worker.current).length > 0) {
        for (const name of this.deps.volumes(worker.current).inUse) {
          inUse.add(name);
        }
      }
    }
    return [...inUse].sort();
  }

  /** Pods with their volumes mounted that use the claim `namespace/name`. */
  podsMounting(namespace: string, claim: string): PodObject[] {
    return [...this.workers.values()]
      .filter(
        (w) =>
          w.simulation.mounted &&
          w.current.metadata?.namespace === namespace &&
          claimVolumesOf(w.current).some(([, c]) => c === claim),
      )
      .map((w) => w.current);
  }

  get size(): number {
    return this.workers.size;
  }

  private env(): PodSimEnv {
    return {
      allocateIp: () => this.ips?.allocate(),
      releaseIp: (ip) => this.ips?.release(ip),
      hostIp: () => this.deps.hostIp(),
      imagePresent: (image) => this.deps.imagePresent(image),
      imagePulled: (image, size) => this.deps.imagePulled(image, size),
      imagePullMs: this.deps.imagePullMs,
      containerStopMs: this.deps.containerStopMs,
      backoff: this.backoff,
      volumes: (pod) => this.deps.volumes(pod),
    };
  }

  /**
   * The kubelet's resource admission (predicate NodeResourcesFit): a pod bound straight to the
   * node (no scheduler) that does not fit what the admitted pods leave is rejected.
   */
  private admit(pod: PodObject): { reason: string; message: string } | undefined {
    const allocatable = this.deps.allocatable();
    const admitted = [...this.workers.values()]
      .filter((w) => !w.simulation.terminal)
      .map((w) => w.current);
    const used = admitted.map(podRequests).reduce(
      (sum, r) => ({
        milliCpu: sum.milliCpu + r.milliCpu,
        memoryBytes: sum.memoryBytes + r.memoryBytes,
      }),
      { milliCpu: 0, memoryBytes: 0 },
    );
    const wanted = podRequests(pod);
    const checks: [string, number, number, number][] = [
      ['pods', 1, admitted.length, Number(allocatable.pods ?? 110)],
      ['cpu', wanted.milliCpu, used.milliCpu, milliCpu(allocatable.cpu)],
      ['memory', wanted.memoryBytes, used.memoryBytes, bytesOf(allocatable.memory)],
    ];
    for (const [resource, requested, inUse, capacity] of checks) {
      if (requested > 0 && inUse + requested > capacity) {
        return {
          reason: `OutOf${resource}`,
          message: `Pod was rejected: Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${inUse}, capacity: ${capacity}`,
        };
      }
    }
    return undefined;
  }
}

import type { InstanceDto, InstanceTypeDto } from '@app/cloud-contracts';
import {
  errorMessage,
  isDeletedFinalStateUnknown,
  type EventBroadcaster,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { InformerAdapter, KubeRest, NodeObject, PodObject } from '@app/kube-client';
import { HollowNode } from '../node/hollow-node';
import { machineOf } from '../node/machine';
import type { PodStatusWriter } from '../pods/pod-status-writer';
import type { TargetedPort } from '../pods/targeted-ports';
import type { KubeletSettings } from '../settings';
import type { KubeletVolumeManager } from '../volumes/volume-manager';

export interface NodeFleetDeps {
  /** The client a node writes with (its own identity when the process has node tokens). */
  restFor(nodeName: string): KubeRest;
  settings: KubeletSettings;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  podsByNode: Indexer<PodObject>;
  instanceTypes: ReadonlyMap<string, InstanceTypeDto>;
  /** A node's own event broadcaster (queue and writer), as each kubelet has one upstream. */
  newBroadcaster(): EventBroadcaster;
  writer: PodStatusWriter;
  volumes: KubeletVolumeManager;
  scheduler: Scheduler;
  logger: Logger;
  /** The ports Services target on a pod (the pod responders serve them). */
  targetedPorts(podUid: string): TargetedPort[];
}

/**
 * The hollow nodes of one kubelet process: a simulated kubelet per running cloud instance of
 * the cluster, started when the instance runs, stopped when it stops, crashes or goes away.
 * Nodes and pods come from shared informers and are dispatched to their node.
 */
export class NodeFleet {
  private readonly nodes = new Map<string, HollowNode>();
  private readonly byName = new Map<string, HollowNode>();
  /** Instances seen not running since they were first seen: their next start is a reboot. */
  private readonly wentDown = new Set<string>();
  private readonly transitions = new Set<Promise<void>>();
  /** By node name; kept across a node's restarts (its queued events still go out). */
  private readonly broadcasters = new Map<string, EventBroadcaster>();

  constructor(private readonly deps: NodeFleetDeps) {
    deps.nodes.addEventHandler({
      onAdd: (node) => this.byName.get(node.metadata?.name ?? '')?.nodeChanged(node),
      onUpdate: (_old, node) => this.byName.get(node.metadata?.name ?? '')?.nodeChanged(node),
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => {
        const gone = isDeletedFinalStateUnknown(pod) ? pod.obj : pod;
        this.byName.get(gone.spec?.nodeName ?? '')?.pods.remove(gone.metadata?.uid ?? '');
      },
    });
  }

  /** The ports Services target on these pods changed: their workers sync. */
  resyncPods(uids: readonly string[]): void {
    for (const node of this.nodes.values()) {
      for (const uid of uids) {
        node.pods.resync(uid);
      }
    }
  }

  /** The nodes currently up. */
  running(): HollowNode[] {
    return [...this.nodes.values()].filter((n) => n.isRunning);
  }

  /** Every node's event broadcaster (flushed and shut down when the process stops). */
  eventBroadcasters(): EventBroadcaster[] {
    return [...this.broadcasters.values()];
  }

  get(name: string): HollowNode | undefined {
    return this.byName.get(name);
  }

  /** An instance appeared or changed state. */
  instanceChanged(instance: InstanceDto): void {
    if (instance.state === 'running') {
      this.ensureRunning(instance);
    } else {
      this.ensureStopped(instance, instance.state === 'terminated');
    }
  }

  /** An instance is gone from the cloud (terminated and purged). */
  instanceRemoved(instance: InstanceDto): void {
    this.ensureStopped(instance, true);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
    await Promise.all([...this.transitions]);
  }

  private ensureRunning(instance: InstanceDto): void {
    let node = this.nodes.get(instance.id);
    if (node?.isRunning) {
      return;
    }
    if (!node) {
      node = this.newNode(instance);
      this.nodes.set(instance.id, node);
      this.byName.set(node.name, node);
    }
    const rebooted = this.wentDown.delete(instance.id);
    const started = node
      .start({ rebooted })
      .catch((err: unknown) =>
        this.deps.logger.error(
          { node: node.name, err: errorMessage(err) },
          'kubelet failed to start',
        ),
      );
    this.track(started);
  }

  private ensureStopped(instance: InstanceDto, gone: boolean): void {
    const node = this.nodes.get(instance.id);
    if (!gone) {
      this.wentDown.add(instance.id);
    }
    if (!node) {
      return;
    }
    if (gone) {
      this.nodes.delete(instance.id);
      if (this.byName.get(node.name) === node) {
        this.byName.delete(node.name);
      }
      this.wentDown.delete(instance.id);
    }
    if (node.isRunning) {
      this.track(node.stop());
    }
  }

  private newNode(instance: InstanceDto): HollowNode {
    const machine = machineOf(instance, this.deps.instanceTypes.get(instance.instanceType));
    let broadcaster = this.broadcasters.get(machine.nodeName);
    if (!broadcaster) {
      broadcaster = this.deps.newBroadcaster();
      this.broadcasters.set(machine.nodeName, broadcaster);
    }
    return new HollowNode(machine, {
      rest: this.deps.restFor(machine.nodeName),
      settings: this.deps.settings,
      recorder: broadcaster.newRecorder({ component: 'kubelet', host: machine.nodeName }),
      writer: this.deps.writer,
      scheduler: this.deps.scheduler,
      logger: this.deps.logger,
      cachedNode: () => this.deps.nodes.get(machine.nodeName),
      cachedPods: () => this.deps.podsByNode.byIndex(machine.nodeName),
      podVolumes: (pod, nodeName) => this.deps.volumes.podVolumes(pod, nodeName),
      podMounted: (_node, pod) => this.deps.volumes.podMounted(pod),
      targetedPorts: this.deps.targetedPorts,
    });
  }

  private podChanged(pod: PodObject): void {
    const node = this.byName.get(pod.spec?.nodeName ?? '');
    if (node?.acceptsPods) {
      node.pods.upsert(pod);
    }
  }

  private track(p: Promise<void>): void {
    this.transitions.add(p);
    void p.finally(() => this.transitions.delete(p));
  }
}

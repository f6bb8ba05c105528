import {
  Controller,
  EventType,
  isDeletedFinalStateUnknown,
  splitMetaNamespaceKey,
  type DeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  type ControllerRevisionObject,
  type DaemonSetObject,
  type InformerAdapter,
  type KubeRest,
  type NodeObject,
  type PodObject,
} from '@app/kube-client';
import { scaledValue } from '../deployment/deployment-util';
import { ClockRequeue } from '../util/clock-requeue';
import { UidTrackingExpectations } from '../util/controller-expectations';
import { controllerRefOf, newControllerRef } from '../util/owner-refs';
import { PodControl } from '../util/pod-control';
import { isPodAvailable, isPodReady, nextAvailableInMs, podKey } from '../util/pod-state';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { CONTROLLER_REVISION_HASH, currentRevision } from './controller-history';
import { daemonPodTolerations, nodeShouldRunDaemonPod, pinToNode } from './daemon-pod-spec';
import { surgeRollout, surplusWithSurge } from './surge-update';

const DS_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
/** upstream extensions.DaemonSetTemplateGenerationKey. */
const TEMPLATE_GENERATION = 'pod-template-generation';

export interface DaemonSetControllerDeps {
  rest: KubeRest;
  daemonSets: InformerAdapter<DaemonSetObject>;
  revisions: InformerAdapter<ControllerRevisionObject>;
  nodes: InformerAdapter<NodeObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace}/${o.metadata?.name}`;

/** upstream GetTargetNodeName: the bound node, or the one its node affinity pins it to. */
export function targetNodeOf(pod: PodObject): string | undefined {
  if (pod.spec?.nodeName) {
    return pod.spec.nodeName;
  }
  for (const term of pod.spec?.affinity?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const field = term.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
    if (field?.values?.length === 1) {
      return field.values[0];
    }
  }
  return undefined;
}

/**
 * upstream pkg/controller/daemon (`daemonset-controller`): one pod per node that should run it
 * (node affinity, taints against the template's and the automatic tolerations), pinned with a
 * `matchFields metadata.name` affinity for the scheduler to bind; failed daemon pods are
 * replaced, pods on nodes that stopped qualifying removed; RollingUpdate (maxUnavailable)
 * replaces pods of older ControllerRevisions; the status counts every node.
 */
export class DaemonSetController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;
  private readonly expectations: UidTrackingExpectations;
  private readonly podControl: PodControl;

  constructor(private readonly deps: DaemonSetControllerDeps) {
    this.expectations = new UidTrackingExpectations(deps.now);
    this.podControl = new PodControl(deps.rest, deps.recorder);
    this.controller = new Controller({
      name: 'daemonset-controller',
      queueName: 'daemonset',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: 2,
      reconcile: (key) => this.sync(key),
      waitFor: [deps.pods, deps.nodes, deps.revisions],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.daemonSets, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        const ds = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        this.expectations.delete(keyOf(ds));
        this.requeue.cancel(keyOf(ds));
        return false;
      },
    });
    const allDaemonSets = () => {
      for (const ds of deps.daemonSets.list()) {
        this.controller.enqueueKey(keyOf(ds));
      }
    };
    deps.nodes.addEventHandler({
      onAdd: allDaemonSets,
      onUpdate: (a, b) => {
        if (
          !jsonEqual(a.metadata?.labels, b.metadata?.labels) ||
          !jsonEqual(a.spec?.taints, b.spec?.taints)
        ) {
          allDaemonSets();
        }
      },
      onDelete: allDaemonSets,
    });
    deps.pods.addEventHandler({
      onAdd: (pod) => this.podEvent(pod, 'add'),
      onUpdate: (a, b) => {
        if (a.metadata?.resourceVersion !== b.metadata?.resourceVersion) {
          this.podEvent(
            b,
            b.metadata?.deletionTimestamp && !a.metadata?.deletionTimestamp ? 'delete' : 'update',
          );
        }
      },
      onDelete: (pod) => this.podEvent(pod, 'delete'),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private podEvent(
    obj: PodObject | DeletedFinalStateUnknown<PodObject>,
    kind: 'add' | 'update' | 'delete',
  ): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    const ref = controllerRefOf(pod);
    if (ref?.kind !== DS_KIND.kind) {
      return;
    }
    const ds = this.deps.daemonSets.get(`${pod.metadata?.namespace}/${ref.name}`);
    if (ds?.metadata?.uid !== ref.uid) {
      return;
    }
    if (kind === 'add') {
      this.expectations.creationObserved(keyOf(ds));
    } else if (kind === 'delete') {
      this.expectations.podDeletionObserved(keyOf(ds), podKey(pod));
    }
    this.controller.enqueueKey(keyOf(ds));
  }

  private async sync(key: string): Promise<void> {
    const ds = this.deps.daemonSets.get(key);
    if (!ds) {
      return;
    }
    const ns = ds.metadata?.namespace ?? '';
    const uid = ds.metadata?.uid;
    const revisions = this.deps.revisions
      .list()
      .filter((r) => r.metadata?.namespace === ns && controllerRefOf(r)?.uid === uid);
    const { hash } = await currentRevision(this.deps.rest, ds, DS_KIND, revisions);
    const pods = this.deps.podsByNamespace
      .byIndex(ns)
      .filter((p) => controllerRefOf(p)?.uid === uid);
    const byNode = new Map<string, PodObject[]>();
    for (const pod of pods) {
      const node = targetNodeOf(pod);
      if (node && !pod.metadata?.deletionTimestamp) {
        byNode.set(node, [...(byNode.get(node) ?? []), pod]);
      }
    }
    const nodes = this.deps.nodes.list();
    const now = this.deps.now();
    if (this.expectations.satisfied(key) && !ds.metadata?.deletionTimestamp) {
      await this.manage(key, ds, nodes, byNode, hash, now);
    }
    await this.updateStatus(key, ds, nodes, byNode, hash, now);
  }

  /** upstream manage + rollingUpdate: the pods to create and to delete this round. */
  private async manage(
    key: string,
    ds: DaemonSetObject,
    nodes: readonly NodeObject[],
    byNode: Map<string, PodObject[]>,
    hash: string,
    now: number,
  ): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const create: string[] = [];
    const remove: PodObject[] = [];
    const nodeNames = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun).length;
    // upstream updatedDesiredNodeCounts: maxSurge rounded up against the desired nodes.
    const maxSurge = rolling
      ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, desired, true)
      : 0;
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds, node);
      const daemonPods = byNode.get(name) ?? [];
      if (shouldRun && daemonPods.length === 0) {
        create.push(name);
      } else if (shouldContinueRunning) {
        const running: PodObject[] = [];
        for (const pod of daemonPods) {
          if (pod.status?.phase === 'Failed') {
            this.deps.recorder.event(
              { ...ds, ...DS_KIND },
              EventType.Warning,
              'FailedDaemonPod',
              `Found failed daemon pod ${podKey(pod)} on node ${name}, will try to kill it`,
            );
            remove.push(pod);
          } else {
            running.push(pod);
          }
        }
        if (maxSurge > 0) {
          // Surging: one old and one new pod may share a node.
          remove.push(...surplusWithSurge(running, hash));
        } else {
          // More than one daemon pod on a node: keep the oldest.
          running.sort((a, b) =>
            (a.metadata?.creationTimestamp ?? '').localeCompare(
              b.metadata?.creationTimestamp ?? '',
            ),
          );
          remove.push(...running.slice(1));
        }
      } else {
        remove.push(...daemonPods);
      }
    }
    // upstream getUnscheduledPodsWithoutNode: pods still waiting for a node that is gone (bound
    // pods of a deleted node are the pod GC's).
    for (const [node, daemonPods] of byNode) {
      if (!nodeNames.has(node)) {
        remove.push(...daemonPods.filter((p) => !p.spec?.nodeName));
      }
    }
    if (rolling && maxSurge > 0) {
      const removed = new Set(remove);
      const plan = surgeRollout(
        nodes.map((n) => ({
          node: n.metadata?.name ?? '',
          shouldRun: nodeShouldRunDaemonPod(ds, n).shouldRun,
          pods: (byNode.get(n.metadata?.name ?? '') ?? []).filter((p) => !removed.has(p)),
        })),
        hash,
        maxSurge,
        minReady,
        now,
      );
      remove.push(...plan.deletes);
      create.push(...plan.createOn);
    } else if (rolling) {
      remove.push(
        ...this.rollingUpdateVictims(ds, nodes, byNode, hash, now, minReady, new Set(remove)),
      );
    }
    const owner = { ...ds, ...DS_KIND };
    const ns = ds.metadata?.namespace ?? '';
    this.expectations.expectCreations(key, create.length);
    this.expectations.expectPodDeletions(key, remove.map(podKey));
    const template = ds.spec?.template ?? {};
    const ref = newControllerRef(ds, DS_KIND);
    const results = await Promise.allSettled([
      ...create.map(async (node) => {
        const spec = structuredClone(template.spec ?? { containers: [] });
        try {
          await this.podControl.createPod(ns, template, owner, ref, {
            labels: {
              [CONTROLLER_REVISION_HASH]: hash,
              [TEMPLATE_GENERATION]: String(ds.metadata?.generation ?? 1),
            },
            spec: { affinity: pinToNode(spec, node), tolerations: daemonPodTolerations(spec) },
          });
        } catch (err) {
          this.expectations.creationObserved(key);
          throw err;
        }
      }),
      ...remove.map(async (pod) => {
        try {
          if (!(await this.podControl.deletePod(ns, pod.metadata?.name ?? '', owner))) {
            this.expectations.podDeletionObserved(key, podKey(pod));
          }
        } catch (err) {
          this.expectations.podDeletionObserved(key, podKey(pod));
          throw err;
        }
      }),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      const reason: unknown = failed.reason;
      throw reason instanceof Error ? reason : new Error(String(reason));
    }
  }

  /**
   * upstream rollingUpdate (maxSurge 0): old-revision pods that are not available go at once;
   * available ones only while fewer than maxUnavailable nodes are unavailable.
   */
  private rollingUpdateVictims(
    ds: DaemonSetObject,
    nodes: readonly NodeObject[],
    byNode: Map<string, PodObject[]>,
    hash: string,
    now: number,
    minReady: number,
    already: Set<PodObject>,
  ): PodObject[] {
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun);
    const maxUnavailable = Math.max(
      1,
      scaledValue(
        ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
        desired.length,
        true,
      ),
    );
    let unavailable = 0;
    const oldAvailable: PodObject[] = [];
    const victims: PodObject[] = [];
    for (const node of desired) {
      const pod = (byNode.get(node.metadata?.name ?? '') ?? []).find((p) => !already.has(p));
      if (!pod) {
        unavailable++;
        continue;
      }
      const available = isPodAvailable(pod, minReady, now);
      const old = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH] !== hash;
      if (!available) {
        unavailable++;
        if (old) {
          victims.push(pod);
        }
      } else if (old) {
        oldAvailable.push(pod);
      }
    }
    for (const pod of oldAvailable) {
      if (unavailable >= maxUnavailable) {
        break;
      }
      victims.push(pod);
      unavailable++;
    }
    return victims;
  }

  /** upstream updateDaemonSetStatus. */
  private async updateStatus(
    key: string,
    ds: DaemonSetObject,
    nodes: readonly NodeObject[],
    byNode: Map<string, PodObject[]>,
    hash: string,
    now: number,
  ): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const scheduled: PodObject[] = [];
    for (const node of nodes) {
      const { shouldRun } = nodeShouldRunDaemonPod(ds, node);
      const pods = byNode.get(node.metadata?.name ?? '') ?? [];
      const scheduledPods = pods.filter((p) => p.spec?.nodeName);
      if (shouldRun) {
        desired++;
        if (scheduledPods.length > 0) {
          current++;
          const pod = scheduledPods[0];
          scheduled.push(pod);
          if (isPodReady(pod)) {
            ready++;
            if (isPodAvailable(pod, minReady, now)) {
              available++;
            }
          }
          if (pod.metadata?.labels?.[CONTROLLER_REVISION_HASH] === hash) {
            updated++;
          }
        }
      } else if (scheduledPods.length > 0) {
        misscheduled++;
      }
    }
    const status = Object.fromEntries(
      Object.entries({
        ...(ds.status ?? {}),
        currentNumberScheduled: current,
        numberMisscheduled: misscheduled,
        desiredNumberScheduled: desired,
        numberReady: ready,
        observedGeneration: ds.metadata?.generation,
        updatedNumberScheduled: updated || undefined,
        numberAvailable: available || undefined,
        numberUnavailable: desired - available || undefined,
      }).filter(([, v]) => v !== undefined),
    ) as NonNullable<DaemonSetObject['status']>;
    if (!jsonEqual(status, ds.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await writeStatusUnlessGone(
        this.deps.rest,
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/daemonsets/${encodeURIComponent(name)}`,
        ds,
        status,
      );
    }
    const wait = nextAvailableInMs(scheduled, minReady, now);
    if (wait !== undefined) {
      this.requeue.after(key, wait);
    }
  }
}

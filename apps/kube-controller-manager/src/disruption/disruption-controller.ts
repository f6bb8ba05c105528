import {
  Controller,
  EventType,
  splitMetaNamespaceKey,
  isDeletedFinalStateUnknown,
  type EventRecorder,
  type Indexer,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import {
  type DeploymentObject,
  type InformerAdapter,
  type KubeRest,
  type PodDisruptionBudgetObject,
  type PodObject,
  type ReplicaSetObject,
  type ReplicationControllerObject,
  type StatefulSetObject,
} from '@app/kube-client';
import { ClockRequeue } from '../util/clock-requeue';
import { selectorMatches } from '../util/label-selector';
import { controllerRefOf } from '../util/owner-refs';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { expectedCounts, pdbStatus } from './pdb-status';

export interface DisruptionControllerDeps {
  rest: KubeRest;
  pdbs: InformerAdapter<PodDisruptionBudgetObject>;
  pods: InformerAdapter<PodObject>;
  podsByNamespace: Indexer<PodObject>;
  replicaSets: InformerAdapter<ReplicaSetObject>;
  deployments: InformerAdapter<DeploymentObject>;
  replicationControllers: InformerAdapter<ReplicationControllerObject>;
  statefulSets: InformerAdapter<StatefulSetObject>;
  recorder: EventRecorder;
  scheduler: Scheduler;
  clockScheduler: Scheduler;
  now: () => number;
  logger: Logger;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace}/${o.metadata?.name}`;

/**
 * upstream pkg/controller/disruption (`disruption-controller`): keeps every
 * PodDisruptionBudget's status — healthy pods, desired healthy, expected pods (their
 * controllers' scale), disruptionsAllowed and the DisruptionAllowed condition — which the
 * api-server's eviction subresource checks (so `kubectl drain` respects budgets); evictions
 * recorded in `disruptedPods` expire after 2 minutes.
 */
export class DisruptionController {
  private readonly controller: Controller;
  private readonly requeue: ClockRequeue;

  constructor(private readonly deps: DisruptionControllerDeps) {
    this.controller = new Controller({
      name: 'disruption-controller',
      queueName: 'disruption',
      scheduler: deps.scheduler,
      logger: deps.logger,
      reconcile: (key) => this.sync(key),
      waitFor: [
        deps.pods,
        deps.replicaSets,
        deps.deployments,
        deps.replicationControllers,
        deps.statefulSets,
      ],
    });
    this.requeue = new ClockRequeue(deps.clockScheduler, (key) => this.controller.enqueueKey(key));
    this.controller.watch(deps.pdbs, {
      update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion,
      delete: (obj) => {
        this.requeue.cancel(keyOf(isDeletedFinalStateUnknown(obj) ? obj.obj : obj));
        return false;
      },
    });
    const podChanged = (pod: PodObject) => {
      for (const pdb of deps.pdbs.list()) {
        if (
          pdb.metadata?.namespace === pod.metadata?.namespace &&
          selectorMatches(pdb.spec?.selector, pod.metadata?.labels)
        ) {
          this.controller.enqueueKey(keyOf(pdb));
        }
      }
    };
    deps.pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (a, b) =>
        a.metadata?.resourceVersion !== b.metadata?.resourceVersion && podChanged(b),
      onDelete: (obj) => podChanged(isDeletedFinalStateUnknown(obj) ? obj.obj : obj),
    });
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    this.requeue.stop();
    await this.controller.stop();
  }

  private async sync(key: string): Promise<void> {
    const pdb = this.deps.pdbs.get(key);
    if (!pdb) {
      return;
    }
    const ns = pdb.metadata?.namespace ?? '';
    const pods = this.deps.podsByNamespace
      .byIndex(ns)
      .filter((p) => selectorMatches(pdb.spec?.selector, p.metadata?.labels));
    let counts: { expectedCount: number; desiredHealthy: number } | undefined;
    try {
      counts = expectedCounts(pdb, pods.length, () => this.expectedScale(ns, pods));
    } catch (err) {
      this.deps.recorder.event(
        { ...pdb, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
        EventType.Warning,
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${(err as Error).message}`,
      );
    }
    const now = this.deps.now();
    const { status, nextExpiry } = pdbStatus(pdb, pods, counts, now);
    if (!jsonEqual(status, pdb.status ?? {})) {
      const { namespace, name } = splitMetaNamespaceKey(key);
      await writeStatusUnlessGone(
        this.deps.rest,
        `/apis/policy/v1/namespaces/${encodeURIComponent(namespace)}/poddisruptionbudgets/${encodeURIComponent(name)}`,
        pdb,
        status,
      );
    }
    if (nextExpiry !== undefined) {
      this.requeue.after(key, nextExpiry - now + 1);
    }
  }

  /** upstream getExpectedScale: the sum of the scales of the pods' controllers (each once). */
  private expectedScale(ns: string, pods: readonly PodObject[]): number {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) {
        throw new Error(`found no controller ref for pod "${pod.metadata?.name}"`);
      }
      const found = this.scaleOf(ns, ref.kind, ref.name, ref.uid);
      if (!found) {
        throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      }
      seen.set(found.uid, found.scale);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }

  private scaleOf(
    ns: string,
    kind: string,
    name: string,
    uid: string,
  ): { uid: string; scale: number } | undefined {
    const key = `${ns}/${name}`;
    const check = <T extends { metadata?: { uid?: string }; spec?: { replicas?: number } }>(
      obj: T | undefined,
    ) => (obj?.metadata?.uid === uid ? { uid, scale: obj.spec?.replicas ?? 1 } : undefined);
    switch (kind) {
      case 'ReplicaSet': {
        const rs = this.deps.replicaSets.get(key);
        const dRef = rs && controllerRefOf(rs);
        if (rs?.metadata?.uid === uid && dRef?.kind === 'Deployment') {
          const d = this.deps.deployments.get(`${ns}/${dRef.name}`);
          if (d?.metadata?.uid === dRef.uid) {
            return { uid: dRef.uid, scale: d.spec?.replicas ?? 1 };
          }
        }
        return check(rs);
      }
      case 'ReplicationController':
        return check(this.deps.replicationControllers.get(key));
      case 'StatefulSet':
        return check(this.deps.statefulSets.get(key));
      default:
        return undefined;
    }
  }
}

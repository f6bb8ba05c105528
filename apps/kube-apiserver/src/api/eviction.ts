import type { Clock } from '@app/common';
import {
  badRequest,
  conflict,
  forbidden,
  internalError,
  tooManyRequests,
} from '../errors/kube-error';
import { compileSelector } from '../registry/label-selector-rules';
import type { ResourceType } from '../registry/resource-type';
import { formatTime } from '../time/kube-time';
import type { DeleteOptions, ResourceService } from './resource-service';
import { cloneJson, isPlainObject, type JsonObject, type KubeObject } from '../object/types';

/** PodDisruptionBudgetStatus.DisruptedPods above this size blocks evictions (MaxDisruptedPodSize). */
export const MAX_DISRUPTED_POD_SIZE = 2000;

const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";
const pdbResource = { group: 'policy', resource: 'poddisruptionbudget' };

export interface EvictionResult {
  code: number;
  status: Record<string, unknown>;
}

const statusResult = (code: number, status: 'Success' | 'Failure', message?: string) => ({
  code,
  status: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status,
    ...(message ? { message } : {}),
    code,
  },
});

const podStatus = (pod: KubeObject): JsonObject => (isPlainObject(pod.status) ? pod.status : {});

/** podutil.IsPodReady: a Ready condition with status True. */
function isPodReady(pod: KubeObject): boolean {
  const conditions = Array.isArray(podStatus(pod).conditions) ? podStatus(pod).conditions : [];
  return (conditions as unknown[]).some(
    (c) => isPlainObject(c) && c.type === 'Ready' && c.status === 'True',
  );
}

/** Terminal, pending or terminating pods are evicted without consulting budgets. */
function canIgnorePdb(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    Boolean(pod.metadata.deletionTimestamp)
  );
}

function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

/**
 * The `pods/eviction` subresource as upstream's EvictionREST (pkg/registry/core/pod/storage/
 * eviction.go) runs it: pods that are terminal, pending or already terminating go at once; any
 * other pod is guarded by the one PodDisruptionBudget selecting it, whose `status` (written by
 * the disruption controller) must allow a disruption. An allowed eviction decrements
 * `disruptionsAllowed`, records the pod in `disruptedPods`, marks the pod `DisruptionTarget`
 * and deletes it with the eviction's DeleteOptions.
 */
export class EvictionSubresource {
  constructor(
    private readonly service: ResourceService,
    private readonly pods: ResourceType,
    private readonly budgets: ResourceType,
    private readonly clock: Clock,
    /** NodeRestriction: a node evicts only pods bound to it. */
    private readonly admission?: { admitEviction(namespace: string, podName: string): void },
  ) {}

  evict(namespace: string, name: string, body: unknown, queryDryRun: string[]): EvictionResult {
    const eviction = isPlainObject(body) ? body : {};
    const metadata = isPlainObject(eviction.metadata) ? eviction.metadata : {};
    if (metadata.name !== name) {
      throw badRequest('name in URL does not match name in Eviction object');
    }
    this.admission?.admitEviction(namespace, name);
    const options = this.deleteOptionsOf(eviction, queryDryRun);
    const dryRun = (options.dryRun ?? []).includes('All');
    const pod = this.service.get(this.pods, namespace, name).object;

    if (canIgnorePdb(pod)) {
      this.deletePod(pod, this.pinResourceVersion(pod, options, shouldEnforceResourceVersion(pod)));
      return statusResult(201, 'Success');
    }

    const budgets = this.matchingBudgets(pod);
    if (budgets.length > 1) {
      return statusResult(
        500,
        'Failure',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    }
    let pinned = options;
    if (budgets.length === 1) {
      const pdb = budgets[0];
      const spec = isPlainObject(pdb.spec) ? pdb.spec : {};
      const status = isPlainObject(pdb.status) ? pdb.status : {};
      const currentHealthy = Number(status.currentHealthy ?? 0);
      const desiredHealthy = Number(status.desiredHealthy ?? 0);
      const unhealthyMayGo =
        !isPodReady(pod) &&
        (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
          (currentHealthy >= desiredHealthy && desiredHealthy > 0));
      if (unhealthyMayGo) {
        // An unready pod does not count as healthy: deleting it leaves the budget as it is.
        pinned = this.pinResourceVersion(pod, options, true);
      } else {
        this.checkAndDecrement(pdb, name, dryRun);
      }
    }
    this.deletePod(pod, pinned);
    return statusResult(201, 'Success');
  }

  /** The eviction's DeleteOptions with the request's dryRun merged in (propagateDryRun). */
  private deleteOptionsOf(eviction: JsonObject, queryDryRun: string[]): DeleteOptions {
    const raw = isPlainObject(eviction.deleteOptions) ? eviction.deleteOptions : {};
    const options: DeleteOptions = {
      ...(typeof raw.gracePeriodSeconds === 'number'
        ? { gracePeriodSeconds: raw.gracePeriodSeconds }
        : {}),
      ...(isPlainObject(raw.preconditions) ? { preconditions: { ...raw.preconditions } } : {}),
      ...(typeof raw.propagationPolicy === 'string'
        ? { propagationPolicy: raw.propagationPolicy }
        : {}),
      ...(typeof raw.orphanDependents === 'boolean'
        ? { orphanDependents: raw.orphanDependents }
        : {}),
    };
    const bodyDryRun = Array.isArray(raw.dryRun) ? raw.dryRun.map(String) : [];
    if (bodyDryRun.length === 0) {
      options.dryRun = queryDryRun;
    } else if (queryDryRun.length === 0 || bodyDryRun.join() === queryDryRun.join()) {
      options.dryRun = bodyDryRun;
    } else {
      throw internalError(
        `Non-matching dry-run options in request and content: [${queryDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`,
      );
    }
    return options;
  }

  /** Pins the pod's resourceVersion unless the caller set one (no race with it turning ready). */
  private pinResourceVersion(pod: KubeObject, options: DeleteOptions, pin: boolean): DeleteOptions {
    if (!pin || options.preconditions?.resourceVersion) {
      return options;
    }
    return {
      ...options,
      preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion },
    };
  }

  /** PDBs of the pod's namespace whose (valid) selector selects it; a null selector selects none. */
  private matchingBudgets(pod: KubeObject): KubeObject[] {
    return this.service
      .storeOf(this.budgets)
      .list(pod.metadata.namespace ?? '')
      .map((s) => s.object)
      .filter((pdb) => {
        const selector = compileSelector(isPlainObject(pdb.spec) ? pdb.spec.selector : undefined);
        return selector?.matches(pod.metadata.labels ?? {}) ?? false;
      });
  }

  /** checkAndDecrement: 429 while the budget is stale or exhausted, else take one disruption. */
  private checkAndDecrement(pdb: KubeObject, podName: string, dryRun: boolean): void {
    const name = pdb.metadata.name ?? '';
    const status = isPlainObject(pdb.status) ? cloneJson(pdb.status) : {};
    const allowed = Number(status.disruptionsAllowed ?? 0);
    if (Number(status.observedGeneration ?? 0) < Number(pdb.metadata.generation ?? 0)) {
      throw tooManyRequests(VIOLATION, 10, [
        {
          reason: DISRUPTION_BUDGET_CAUSE,
          message: `The disruption budget ${name} is still being processed by the server.`,
        },
      ]);
    }
    if (allowed < 0) {
      throw forbidden(pdbResource, name, 'pdb disruptions allowed is negative');
    }
    const disrupted = isPlainObject(status.disruptedPods) ? status.disruptedPods : {};
    if (Object.keys(disrupted).length > MAX_DISRUPTED_POD_SIZE) {
      throw forbidden(
        pdbResource,
        name,
        'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
      );
    }
    if (allowed === 0) {
      throw tooManyRequests(VIOLATION, 0, [
        {
          reason: DISRUPTION_BUDGET_CAUSE,
          message: `The disruption budget ${name} needs ${Number(status.desiredHealthy ?? 0)} healthy pods and has ${Number(status.currentHealthy ?? 0)} currently`,
        },
      ]);
    }
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0) {
      this.setDisruptionAllowedCondition(status);
    }
    if (dryRun) {
      return;
    }
    // Tells the disruption controller this pod is about to go, so it stops counting it.
    status.disruptedPods = { ...disrupted, [podName]: formatTime(this.clock.now()) };
    const next = cloneJson(pdb);
    next.status = status;
    this.service.update(this.budgets, next.metadata.namespace ?? '', name, next, 'status', {
      dryRun: false,
    });
  }

  /** pdbhelper.UpdateDisruptionAllowedCondition once no disruption is left. */
  private setDisruptionAllowedCondition(status: JsonObject): void {
    const conditions: unknown[] = Array.isArray(status.conditions)
      ? [...(status.conditions as unknown[])]
      : [];
    const index = conditions.findIndex((c) => isPlainObject(c) && c.type === 'DisruptionAllowed');
    const existing = index >= 0 && isPlainObject(conditions[index]) ? conditions[index] : undefined;
    const condition = {
      type: 'DisruptionAllowed',
      status: 'False',
      observedGeneration: Number(status.observedGeneration ?? 0),
      lastTransitionTime:
        existing && existing.status === 'False'
          ? existing.lastTransitionTime
          : formatTime(this.clock.now()),
      reason: 'InsufficientPods',
      message: existing?.message ?? '',
    };
    if (index >= 0) {
      conditions[index] = condition;
    } else {
      conditions.push(condition);
    }
    status.conditions = conditions;
  }

  /** addConditionAndDeletePod: `DisruptionTarget` on the pod, then the delete. */
  private deletePod(pod: KubeObject, options: DeleteOptions): void {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const dryRun = (options.dryRun ?? []).includes('All');
    let deleteOptions = options;
    if (!dryRun) {
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== pod.metadata.uid) {
        throw conflict(
          { group: '', resource: 'Pod' },
          name,
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${String(pod.metadata.uid)}). The object might have been deleted and then recreated`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
        throw conflict(
          { group: '', resource: 'Pod' },
          name,
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${String(pod.metadata.resourceVersion)}). The object might have been modified`,
        );
      }
      const updated = this.markDisruptionTarget(pod);
      if (pre?.resourceVersion) {
        deleteOptions = {
          ...options,
          preconditions: { ...pre, resourceVersion: updated.metadata.resourceVersion },
        };
      }
    }
    this.service.delete(this.pods, namespace, name, deleteOptions);
  }

  private markDisruptionTarget(pod: KubeObject): KubeObject {
    const next = cloneJson(pod);
    const status = isPlainObject(next.status) ? next.status : (next.status = {});
    const conditions: unknown[] = Array.isArray(status.conditions)
      ? [...(status.conditions as unknown[])]
      : [];
    const index = conditions.findIndex((c) => isPlainObject(c) && c.type === 'DisruptionTarget');
    const existing = index >= 0 && isPlainObject(conditions[index]) ? conditions[index] : undefined;
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime:
        existing?.status === 'True' ? existing.lastTransitionTime : formatTime(this.clock.now()),
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    };
    if (index >= 0) {
      conditions[index] = condition;
    } else {
      conditions.push(condition);
    }
    status.conditions = conditions;
    return this.service.update(
      this.pods,
      pod.metadata.namespace ?? '',
      pod.metadata.name ?? '',
      next,
      'status',
      { dryRun: false },
    ).object;
  }
}

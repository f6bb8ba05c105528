import {
  evaluatorsForNames,
  listsEqual,
  parseQuotaList,
  quotaStatusFor,
  type QuotaEvaluator,
} from '@app/common';
import {
  Controller,
  Indexer,
  type KubeObject,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { InformerAdapter, KubeRest, SharedInformers } from '@app/kube-client';
import { jsonEqual, writeStatusUnlessGone } from '../util/status-update';
import { QuotaMonitors, UnknownResourceError } from './quota-monitors';

export interface ResourceQuotaObject extends KubeObject {
  spec?: { hard?: Record<string, string>; scopes?: string[]; scopeSelector?: unknown };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface ResourceQuotaControllerDeps {
  rest: KubeRest;
  informers: SharedInformers;
  quotas: InformerAdapter<ResourceQuotaObject>;
  podsByNamespace: Indexer<KubeObject>;
  scheduler: Scheduler;
  now: () => number;
  logger: Logger;
  /** --concurrent-resource-quota-syncs (5). */
  workers: number;
  /** --resource-quota-sync-period (5m): every quota is recounted this often. */
  resyncPeriodMs: number;
}

const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** A sync that must wait for an informer's first list; retried shortly. */
class CacheNotSyncedError extends Error {
  readonly retryAfterMs = 100;
}

/**
 * upstream pkg/controller/resourcequota (`resourcequota-controller`): keeps each ResourceQuota's
 * `status.hard` equal to its spec and `status.used` equal to what the namespace's objects in its
 * scopes use, which the api-server's ResourceQuota admission charges new objects against. It
 * recounts a quota when its spec changes, when an object it tracks is deleted or stops using
 * quota (a pod turning Succeeded or Failed, a Service losing its load balancer), and every quota
 * every `--resource-quota-sync-period`.
 */
export class ResourceQuotaController {
  private readonly controller: Controller;
  private readonly monitors: QuotaMonitors;
  private readonly quotasByNamespace: Indexer<ResourceQuotaObject>;

  constructor(private readonly deps: ResourceQuotaControllerDeps) {
    this.controller = new Controller({
      name: 'resourcequota-controller',
      queueName: 'resourcequota_primary',
      scheduler: deps.scheduler,
      logger: deps.logger,
      workers: deps.workers,
      reconcile: (key) => this.sync(key),
      retryAfterOf: (err) => (err instanceof CacheNotSyncedError ? err.retryAfterMs : undefined),
      waitFor: [deps.informers.pods()],
      periodics: [
        {
          name: 'resource quota resync',
          periodMs: deps.resyncPeriodMs,
          run: () => deps.quotas.list().forEach((q) => this.controller.enqueueKey(keyOf(q))),
        },
      ],
    });
    this.quotasByNamespace = new Indexer(deps.quotas, (q) => [q.metadata?.namespace ?? '']);
    this.controller.watch(deps.quotas, {
      // upstream: a changed spec.hard, or a status that does not reflect the spec yet.
      update: (old, cur) =>
        !jsonEqual(old.spec, cur.spec) ||
        !listsEqual(parseQuotaList(cur.spec?.hard), parseQuotaList(cur.status?.hard)),
      delete: false,
    });
    this.monitors = new QuotaMonitors(
      deps.informers,
      deps.rest,
      deps.podsByNamespace,
      () => deps.informers.pods().hasSynced(),
      (evaluator, namespace, old, obj) => this.replenish(evaluator, namespace, old, obj),
    );
  }

  async start(): Promise<void> {
    await this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  /**
   * The replenishment controllers: a deletion, or an update that lowers what the object uses,
   * requeues the namespace's quotas that track the object's resource.
   */
  private replenish(
    evaluator: QuotaEvaluator,
    namespace: string,
    old: KubeObject | undefined,
    obj: KubeObject | undefined,
  ): void {
    const quotas = this.quotasByNamespace.byIndex(namespace);
    if (quotas.length === 0) {
      return;
    }
    if (old && obj) {
      const now = this.deps.now();
      if (listsEqual(evaluator.usage(old, now), evaluator.usage(obj, now))) {
        return;
      }
    }
    for (const quota of quotas) {
      const names = Object.keys(quota.spec?.hard ?? {});
      if (evaluator.matchingResources(names).length > 0) {
        this.controller.enqueueKey(keyOf(quota));
      }
    }
  }

  private async sync(key: string): Promise<void> {
    const quota = this.deps.quotas.get(key);
    if (!quota) {
      return;
    }
    const namespace = quota.metadata?.namespace ?? '';
    const hardNames = [...parseQuotaList(quota.spec?.hard).keys()];
    const objects = new Map<QuotaEvaluator, readonly KubeObject[]>();
    for (const evaluator of evaluatorsForNames(hardNames)) {
      try {
        const found = await this.monitors.objectsIn(evaluator, namespace);
        if (!found) {
          throw new CacheNotSyncedError(`waiting for ${evaluator.resource} to be listed`);
        }
        objects.set(evaluator, found);
      } catch (err) {
        if (!(err instanceof UnknownResourceError)) {
          throw err;
        }
        this.deps.logger.debug(
          { quota: key, err: err.message },
          'quota names an unserved resource',
        );
      }
    }
    const { status, changed } = quotaStatusFor(
      quota,
      (evaluator) => objects.get(evaluator) ?? [],
      this.deps.now(),
    );
    if (!changed) {
      return;
    }
    await writeStatusUnlessGone(
      this.deps.rest,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/resourcequotas/${encodeURIComponent(quota.metadata?.name ?? '')}`,
      quota,
      status,
    );
  }
}

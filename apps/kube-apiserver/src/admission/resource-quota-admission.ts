import {
  checkQuotaRequest,
  quotaEvaluatorFor,
  quotaListJson,
  QuotaDeniedError,
  type Clock,
} from '@app/common';
import type { CommitAdmission } from '../api/resource-service';
import { forbidden } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';

/**
 * The ResourceQuota admission plugin (k8s.io/apiserver admission/plugin/resourcequota), last in
 * the chain: a create — or an update that grows a Service's or claim's usage — in a namespace
 * with quotas is held to each matching quota's `status.hard` against its `status.used`, and the
 * quotas are charged in the same synchronous step as the write, so two creates can never both
 * take the last unit (upstream serialises per namespace and retries on conflicts for this). The
 * kube-controller-manager's `resourcequota-controller` computes `used` first and gives back what
 * deletions free. A dry run is checked and charges nothing.
 */
export class ResourceQuotaAdmission implements CommitAdmission {
  constructor(
    private readonly quotas: TypedStore,
    private readonly clock: Clock,
  ) {}

  admitCommit(type: ResourceType, obj: KubeObject, old: KubeObject | undefined, dryRun: boolean) {
    const namespace = obj.metadata.namespace;
    if (type.scope !== 'Namespaced' || !namespace) {
      return;
    }
    const evaluator = quotaEvaluatorFor(type.group, type.resource);
    if (!evaluator || (old && !evaluator.chargesUpdates)) {
      return;
    }
    const stored = this.quotas.list(namespace);
    if (stored.length === 0) {
      return;
    }
    let charges;
    try {
      charges = checkQuotaRequest(
        stored.map((s) => s.object),
        { evaluator, obj, old, nowMs: this.clock.now() },
      );
    } catch (err) {
      if (err instanceof QuotaDeniedError) {
        throw forbidden(type, obj.metadata.name ?? '', err.message);
      }
      throw err;
    }
    if (dryRun) {
      return;
    }
    for (const { quota, used } of charges) {
      const current = stored.find((s) => s.object === quota);
      const status = typeof quota.status === 'object' && quota.status ? quota.status : {};
      this.quotas.write(
        'MODIFIED',
        { ...quota, status: { ...status, used: quotaListJson(used) } },
        current,
      );
    }
  }
}

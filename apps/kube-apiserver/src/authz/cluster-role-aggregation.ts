import type { ResourceService } from '../api/resource-service';
import { isPlainObject, type KubeObject } from '../object/types';
import { compileSelector } from '../registry/label-selector-rules';
import type { ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import { RBAC_GROUP } from './rbac-cache';
import { afterThisTurnAsServer } from '../auth/request-user';

const OPTIONS = { dryRun: false, fieldManager: 'clusterrole-aggregation-controller' };

/** The ClusterRoles an aggregationRule selects, as compiled selectors (none when absent). */
function selectorsOf(role: KubeObject) {
  const rule = isPlainObject(role.aggregationRule) ? role.aggregationRule : undefined;
  const selectors = Array.isArray(rule?.clusterRoleSelectors) ? rule.clusterRoleSelectors : [];
  return selectors.map((s) => compileSelector(s)).filter((s) => s !== undefined);
}

/**
 * The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): an aggregated
 * ClusterRole's `rules` are the union of the rules of every other ClusterRole its
 * `aggregationRule.clusterRoleSelectors` select (visited by name, duplicates dropped). It runs in
 * the api-server here, after every ClusterRole change, so `admin`/`edit`/`view` follow roles
 * labelled `rbac.authorization.k8s.io/aggregate-to-…` at once.
 */
export class ClusterRoleAggregation {
  private pending = false;
  private closed = false;
  private readonly stop: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly type: ResourceType,
    private readonly service: ResourceService,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.stop = store.onWrite((write) => {
      if (write.revision.typeKey === `${RBAC_GROUP}/clusterroles`) {
        this.schedule();
      }
    });
  }

  private schedule(): void {
    if (this.pending) {
      return;
    }
    this.pending = true;
    // Triggered inside a request, run as the api-server (not escalation-checked as that user).
    afterThisTurnAsServer(() => {
      this.pending = false;
      if (this.closed) {
        return;
      }
      try {
        this.reconcile();
      } catch (error) {
        this.log('clusterrole aggregation failed', error);
      }
    });
  }

  reconcile(): void {
    const roles = this.store
      .list(`${RBAC_GROUP}/clusterroles`)
      .map((s) => s.object)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    for (const role of roles) {
      const selectors = selectorsOf(role);
      if (selectors.length === 0) {
        continue;
      }
      const rules: unknown[] = [];
      const seen = new Set<string>();
      for (const other of roles) {
        if (other.metadata.name === role.metadata.name) {
          continue;
        }
        if (!selectors.some((s) => s.matches(other.metadata.labels))) {
          continue;
        }
        for (const rule of Array.isArray(other.rules) ? other.rules : []) {
          const key = JSON.stringify(rule);
          if (!seen.has(key)) {
            seen.add(key);
            rules.push(rule);
          }
        }
      }
      if (JSON.stringify(rules) !== JSON.stringify(role.rules ?? [])) {
        this.service.update(
          this.type,
          '',
          role.metadata.name ?? '',
          { ...role, rules },
          undefined,
          OPTIONS,
        );
      }
    }
  }

  close(): void {
    this.closed = true;
    this.stop();
  }
}

import type { ResourceService } from '../api/resource-service';
import { isPlainObject, type KubeObject } from '../object/types';
import type { ResourceRegistry } from '../registry/registry';
import {
  BOOTSTRAP_BINDINGS,
  BOOTSTRAP_ROLES,
  NODES_WITHOUT_NODE_AUTHORIZER,
  RETIRED_BOOTSTRAP_OBJECTS,
  type BootstrapBinding,
  type BootstrapRole,
} from './bootstrap-policy';
import { RBAC_GROUP } from './rbac-cache';

const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const OPTIONS = { dryRun: false, fieldManager: 'kube-apiserver' };

const key = (value: unknown) => JSON.stringify(value);

function roleObject(role: BootstrapRole): Record<string, unknown> {
  return {
    metadata: {
      name: role.name,
      ...(role.namespace ? { namespace: role.namespace } : {}),
      labels: { ...BOOTSTRAP_LABELS, ...role.labels },
      annotations: { [AUTOUPDATE]: 'true' },
    },
    ...(role.aggregateFrom
      ? {
          aggregationRule: {
            clusterRoleSelectors: role.aggregateFrom.map((m) => ({ matchLabels: m })),
          },
        }
      : {}),
    rules: role.rules,
  };
}

function bindingObject(binding: BootstrapBinding): Record<string, unknown> {
  return {
    metadata: {
      name: binding.name,
      ...(binding.namespace ? { namespace: binding.namespace } : {}),
      labels: { ...BOOTSTRAP_LABELS },
      annotations: { [AUTOUPDATE]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, ...binding.roleRef },
    subjects: binding.subjects.map((s) =>
      s.kind === 'ServiceAccount' ? s : { apiGroup: RBAC_GROUP, ...s },
    ),
  };
}

/**
 * Reconciles the bootstrap policy at start, as kube-apiserver's rbac/bootstrap-roles post-start
 * hook does (`kubectl auth reconcile` semantics): missing roles and bindings are created; existing
 * ones annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` get the missing rules,
 * subjects, labels and annotations added (nothing is removed); `"false"` leaves them alone.
 */
export function reconcileBootstrapPolicy(
  service: ResourceService,
  registry: ResourceRegistry,
  options: { nodeAuthorizer: boolean } = { nodeAuthorizer: true },
): void {
  const kinds = {
    ClusterRole: registry.get(RBAC_GROUP, 'v1', 'clusterroles'),
    Role: registry.get(RBAC_GROUP, 'v1', 'roles'),
    ClusterRoleBinding: registry.get(RBAC_GROUP, 'v1', 'clusterrolebindings'),
    RoleBinding: registry.get(RBAC_GROUP, 'v1', 'rolebindings'),
  };
  const reconcile = (
    kind: keyof typeof kinds,
    desired: Record<string, unknown>,
    merge: (current: KubeObject, desired: Record<string, unknown>) => KubeObject | undefined,
  ) => {
    const meta = desired.metadata as { name: string; namespace?: string };
    const type = kinds[kind];
    const current = service.storeOf(type).get(meta.namespace ?? '', meta.name)?.object;
    if (!current) {
      service.create(type, meta.namespace ?? '', desired, OPTIONS);
      return;
    }
    if (current.metadata.annotations?.[AUTOUPDATE] === 'false') {
      return;
    }
    const next = merge(current, desired);
    if (next) {
      service.update(type, meta.namespace ?? '', meta.name, next, undefined, OPTIONS);
    }
  };
  const mergeMetadata = (current: KubeObject, desired: Record<string, unknown>): KubeObject => {
    const meta = desired.metadata as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    return {
      ...current,
      metadata: {
        ...current.metadata,
        labels: { ...meta.labels, ...current.metadata.labels },
        annotations: { ...meta.annotations, ...current.metadata.annotations },
      },
    };
  };
  const union = (current: unknown, desired: unknown): unknown[] => {
    const have: unknown[] = Array.isArray(current) ? current : [];
    const seen = new Set(have.map(key));
    return [...have, ...(desired as unknown[]).filter((d) => !seen.has(key(d)))];
  };
  for (const role of BOOTSTRAP_ROLES) {
    const kind = role.namespace ? 'Role' : 'ClusterRole';
    reconcile(kind, roleObject(role), (current, desired) => {
      const next = mergeMetadata(current, desired);
      // Aggregated roles get their rules from aggregation, not from here.
      next.rules = role.aggregateFrom ? (current.rules ?? []) : union(current.rules, desired.rules);
      if (role.aggregateFrom && !isPlainObject(current.aggregationRule)) {
        next.aggregationRule = desired.aggregationRule;
      }
      return key(next) === key(current) ? undefined : next;
    });
  }
  // Retired defaults (and nimbus:nodes under the Node authorizer) go, unless a user took them over
  // by setting autoupdate to "false".
  const retired = [...RETIRED_BOOTSTRAP_OBJECTS];
  if (options.nodeAuthorizer) {
    retired.push({ kind: 'ClusterRoleBinding', name: NODES_WITHOUT_NODE_AUTHORIZER.name });
  }
  for (const { kind, name } of retired) {
    const current = service.storeOf(kinds[kind]).get('', name)?.object;
    const isDefault = current?.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
    if (current && isDefault && current.metadata.annotations?.[AUTOUPDATE] !== 'false') {
      service.delete(kinds[kind], '', name, {});
    }
  }
  const bindings = options.nodeAuthorizer
    ? BOOTSTRAP_BINDINGS
    : [...BOOTSTRAP_BINDINGS, NODES_WITHOUT_NODE_AUTHORIZER];
  for (const binding of bindings) {
    const kind = binding.namespace ? 'RoleBinding' : 'ClusterRoleBinding';
    reconcile(kind, bindingObject(binding), (current, desired) => {
      const next = mergeMetadata(current, desired);
      next.subjects = union(current.subjects, desired.subjects);
      if ((next.subjects as unknown[]).length === 0) {
        delete next.subjects;
      }
      return key(next) === key(current) ? undefined : next;
    });
  }
}

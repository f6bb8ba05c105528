import { isPlainObject, type KubeObject } from '../object/types';
import type { ObjectStore } from '../storage/object-store';
import { rulesOf, type PolicyRule } from './policy-rule';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface CachedBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

/** Roles and bindings as the authorizer reads them, indexed once per change. */
interface Snapshot {
  clusterRoles: Map<string, PolicyRule[]>;
  /** `<namespace>/<name>` */
  roles: Map<string, PolicyRule[]>;
  clusterRoleBindings: CachedBinding[];
  roleBindings: Map<string, CachedBinding[]>;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function bindingOf(kind: CachedBinding['kind'], o: KubeObject): CachedBinding {
  const ref = isPlainObject(o.roleRef) ? o.roleRef : {};
  const subjects = (Array.isArray(o.subjects) ? o.subjects : []).filter(isPlainObject);
  return {
    kind,
    name: o.metadata.name ?? '',
    namespace: o.metadata.namespace ?? '',
    roleRef: { kind: text(ref.kind), name: text(ref.name) },
    subjects: subjects.map((s) => ({
      kind: text(s.kind),
      name: text(s.name),
      ...(typeof s.namespace === 'string' ? { namespace: s.namespace } : {}),
    })),
  };
}

/**
 * The RBAC objects of the store, indexed for the authorizer (upstream reads them from informer
 * caches). Kept fresh through the store's own write path: any write to the rbac group drops the
 * index, and the next request rebuilds it from memory — no SQL per request.
 */
export class RbacCache {
  private snapshot: Snapshot | undefined;
  private readonly stop: () => void;

  constructor(private readonly store: ObjectStore) {
    this.stop = store.onWrite((write) => {
      if (write.revision.typeKey.startsWith(`${RBAC_GROUP}/`)) {
        this.snapshot = undefined;
      }
    });
  }

  close(): void {
    this.stop();
  }

  private current(): Snapshot {
    if (this.snapshot) {
      return this.snapshot;
    }
    const list = (resource: string) =>
      this.store.list(`${RBAC_GROUP}/${resource}`).map((s) => s.object);
    const clusterRoles = new Map<string, PolicyRule[]>();
    for (const o of list('clusterroles')) {
      clusterRoles.set(o.metadata.name ?? '', rulesOf(o));
    }
    const roles = new Map<string, PolicyRule[]>();
    for (const o of list('roles')) {
      roles.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, rulesOf(o));
    }
    const roleBindings = new Map<string, CachedBinding[]>();
    for (const o of list('rolebindings')) {
      const b = bindingOf('RoleBinding', o);
      roleBindings.set(b.namespace, [...(roleBindings.get(b.namespace) ?? []), b]);
    }
    this.snapshot = {
      clusterRoles,
      roles,
      clusterRoleBindings: list('clusterrolebindings').map((o) =>
        bindingOf('ClusterRoleBinding', o),
      ),
      roleBindings,
    };
    return this.snapshot;
  }

  clusterRoleBindings(): CachedBinding[] {
    return this.current().clusterRoleBindings;
  }

  roleBindings(namespace: string): CachedBinding[] {
    return this.current().roleBindings.get(namespace) ?? [];
  }

  /** The rules a binding's roleRef grants; undefined when the role does not exist. */
  rulesOf(binding: CachedBinding): PolicyRule[] | undefined {
    const snap = this.current();
    if (binding.roleRef.kind === 'ClusterRole') {
      return snap.clusterRoles.get(binding.roleRef.name);
    }
    if (binding.kind === 'RoleBinding' && binding.roleRef.kind === 'Role') {
      return snap.roles.get(`${binding.namespace}/${binding.roleRef.name}`);
    }
    return undefined;
  }
}

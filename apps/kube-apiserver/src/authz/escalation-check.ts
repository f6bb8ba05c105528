import type { AdmissionPlugin } from '../api/resource-service';
import type { KubeObject } from '../object/types';
import { isPlainObject } from '../object/types';
import { currentUser } from '../auth/request-user';
import { SYSTEM_MASTERS, type UserInfo } from '../auth/user-info';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { Authorizer } from './authorizer';
import {
  resourceAttributes,
  rulesOf,
  type PolicyRule,
  type RequestAttributes,
} from './policy-rule';
import type { RbacAuthorizer } from './rbac-authorizer';
import { RBAC_GROUP, type RbacCache } from './rbac-cache';
import { describeRules, quotedList, uncovered } from './rule-coverage';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * RBAC's privilege-escalation prevention (pkg/registry/rbac/*\/policybased): a user may create or
 * update a Role/ClusterRole only with every permission it grants (or the `escalate` verb on it),
 * and a binding only with every permission of the role it references (or `bind` on that role).
 * system:masters and the api-server's own writes are exempt. Runs whatever the authorization
 * mode, as upstream's storage does.
 */
export class EscalationCheck implements AdmissionPlugin {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly rbac: RbacAuthorizer,
    private readonly cache: RbacCache,
  ) {}

  admit(type: ResourceType, obj: KubeObject): void {
    this.check(type, obj, undefined);
  }

  /** Updates are checked too: changed rules or subjects are grants as much as creates. */
  admitUpdate(type: ResourceType, obj: KubeObject, old: KubeObject): void {
    this.check(type, obj, old);
  }

  private check(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    if (type.group !== RBAC_GROUP) {
      return;
    }
    const user = currentUser();
    if (!user || user.groups.includes(SYSTEM_MASTERS)) {
      return;
    }
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const may = (verb: string, resource: string, resourceName: string) =>
      this.authorizer.authorize(user, attributes(verb, resource, namespace, resourceName)).allowed;
    if (type.resource === 'roles' || type.resource === 'clusterroles') {
      if (may('escalate', type.resource, name)) {
        return;
      }
      if (type.resource === 'clusterroles' && isPlainObject(obj.aggregationRule)) {
        if (!old || JSON.stringify(old.aggregationRule) !== JSON.stringify(obj.aggregationRule)) {
          throw forbidden(
            type,
            name,
            'must have cluster-admin privileges to use the aggregationRule',
          );
        }
      }
      if (old && JSON.stringify(old.rules ?? []) === JSON.stringify(obj.rules ?? [])) {
        return;
      }
      this.confirmNoEscalation(type, name, user, namespace, rulesOf(obj));
      return;
    }
    // rolebindings / clusterrolebindings; metadata-only changes (the garbage collector's) grant nothing.
    if (
      old &&
      JSON.stringify([old.roleRef, old.subjects ?? []]) ===
        JSON.stringify([obj.roleRef, obj.subjects ?? []])
    ) {
      return;
    }
    const ref = isPlainObject(obj.roleRef) ? obj.roleRef : {};
    const refKind = text(ref.kind);
    const refName = text(ref.name);
    const refResource = refKind === 'Role' ? 'roles' : 'clusterroles';
    if (may('bind', refResource, refName)) {
      return;
    }
    const rules = this.cache.rulesOf({
      kind: type.resource === 'rolebindings' ? 'RoleBinding' : 'ClusterRoleBinding',
      name,
      namespace,
      roleRef: { kind: refKind, name: refName },
      subjects: [],
    });
    if (!rules) {
      throw forbidden(
        type,
        name,
        `${refKind === 'Role' ? 'role' : 'clusterrole'}.${RBAC_GROUP} "${refName}" not found`,
      );
    }
    this.confirmNoEscalation(type, name, user, namespace, rules);
  }

  /** ConfirmNoEscalation (pkg/registry/rbac/validation/rule.go). */
  private confirmNoEscalation(
    type: ResourceType,
    name: string,
    user: UserInfo,
    namespace: string,
    rules: PolicyRule[],
  ): void {
    const held = this.rbac.rulesFor(user, namespace);
    const missing = uncovered(held.rules, rules);
    if (missing.length === 0) {
      return;
    }
    let message = `user "${user.name}" (groups=${quotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${describeRules(missing).join('\n')}`;
    if (held.errors.length) {
      message += `; resolution errors: [${held.errors.join(' ')}]`;
    }
    throw forbidden(type, name, message);
  }
}

function attributes(
  verb: string,
  resource: string,
  namespace: string,
  name: string,
): RequestAttributes {
  return resourceAttributes({
    verb,
    apiGroup: RBAC_GROUP,
    apiVersion: 'v1',
    resource,
    namespace,
    name,
  });
}

import type { UserInfo } from '../auth/user-info';
import { serviceAccountUser } from '../auth/user-info';
import type { PolicyRule, RequestAttributes } from './policy-rule';
import { RBAC_GROUP, type CachedBinding, type RbacCache, type Subject } from './rbac-cache';
import { ruleAllows } from './rule-matching';

export interface Decision {
  allowed: boolean;
  reason: string;
}

/** rbac.go appliesToUser: User by name, Group by membership, ServiceAccount by its user name. */
export function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.name === serviceAccountUser(namespace, subject.name);
    }
    default:
      return false;
  }
}

/** describeSubject of upstream's rbac.go (ServiceAccounts as "name/namespace"). */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  }
  return `${s.kind} "${s.name}"`;
}

function describeBinding(b: CachedBinding, s: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(s, b.namespace)}`;
}

/** A rule with where it came from (SelfSubjectRulesReview, allow reasons). */
export interface SourcedRules {
  source: string;
  rules: PolicyRule[];
}

/**
 * The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): allow-only union of the rules of every
 * ClusterRoleBinding, and of the RoleBindings of the request's namespace, that name the user, one
 * of its groups or its ServiceAccount. Denial is "no opinion" with the lookup errors as reason.
 */
export class RbacAuthorizer {
  constructor(private readonly cache: RbacCache) {}

  /** Visits the rules bound to a user (VisitRulesFor); stops when `visit` returns true. */
  private visit(
    user: UserInfo,
    namespace: string,
    visit: (source: string, rules: PolicyRule[]) => boolean,
    errors: string[],
  ): boolean {
    const scan = (bindings: CachedBinding[]): boolean => {
      for (const binding of bindings) {
        const subject = binding.subjects.find((s) => appliesTo(user, s, binding.namespace));
        if (!subject) {
          continue;
        }
        const rules = this.cache.rulesOf(binding);
        if (!rules) {
          const resource = binding.roleRef.kind === 'Role' ? 'role' : 'clusterrole';
          errors.push(`${resource}.${RBAC_GROUP} "${binding.roleRef.name}" not found`);
          continue;
        }
        if (visit(describeBinding(binding, subject), rules)) {
          return true;
        }
      }
      return false;
    };
    if (scan(this.cache.clusterRoleBindings())) {
      return true;
    }
    return namespace !== '' && scan(this.cache.roleBindings(namespace));
  }

  authorize(user: UserInfo, attributes: RequestAttributes): Decision {
    const errors: string[] = [];
    let reason = '';
    const allowed = this.visit(
      user,
      attributes.namespace,
      (source, rules) => {
        if (rules.some((rule) => ruleAllows(attributes, rule))) {
          reason = `RBAC: allowed by ${source}`;
          return true;
        }
        return false;
      },
      errors,
    );
    if (allowed) {
      return { allowed, reason };
    }
    const why = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
    return { allowed: false, reason: errors.length ? `RBAC: ${why}` : '' };
  }

  /** Every rule that applies to the user in a namespace (RulesFor), with lookup errors. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const errors: string[] = [];
    const rules: PolicyRule[] = [];
    this.visit(
      user,
      namespace,
      (_source, found) => {
        rules.push(...found);
        return false;
      },
      errors,
    );
    return { rules, errors };
  }
}

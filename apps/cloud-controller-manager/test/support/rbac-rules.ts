import type { PolicyRule, RequestAttributes } from '../../../kube-apiserver/src/authz/policy-rule';
import { requestAttributes } from '../../../kube-apiserver/src/authz/request-info';
import { ruleAllows as apiserverRuleAllows } from '../../../kube-apiserver/src/authz/rule-matching';
import { BOOTSTRAP_ROLES } from '../../../kube-apiserver/src/authz/bootstrap-policy';

/*
 * For a recorded request, "would these roles allow it?" — and, the other way round, which
 * permissions were never exercised. The request attributes and rule matching are the
 * api-server's own (authz/request-info.ts, authz/rule-matching.ts: upstream's semantics).
 */

export { requestAttributes, type PolicyRule, type RequestAttributes };

/** A role's rules and where they apply: a Role only in its namespace. */
export interface BoundRules {
  source: string;
  namespace?: string;
  rules: PolicyRule[];
}

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  return apiserverRuleAllows(a, rule);
}

export function allowedBy(bound: BoundRules[], a: RequestAttributes): string | undefined {
  for (const b of bound) {
    if (b.namespace !== undefined && b.namespace !== a.namespace) {
      continue;
    }
    if (b.rules.some((rule) => ruleAllows(rule, a))) {
      return b.source;
    }
  }
  return undefined;
}

/** Every authenticated user holds these (bootstrap ClusterRoles system:discovery etc.). */
export const DEFAULT_AUTHENTICATED_RULES: BoundRules = {
  source: 'ClusterRole/system:discovery + system:public-info-viewer + system:basic-user',
  rules: BOOTSTRAP_ROLES.filter((r) =>
    ['system:discovery', 'system:public-info-viewer', 'system:basic-user'].includes(r.name),
  ).flatMap((r) => r.rules),
};

/** One line per (group, resource, verb[, name]) a rule grants, for "never exercised" checks. */
export function grants(bound: BoundRules[]): string[] {
  const out: string[] = [];
  for (const b of bound) {
    for (const rule of b.rules) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            const names = rule.resourceNames?.length ? rule.resourceNames : [''];
            for (const name of names) {
              out.push(permissionKey(group, resource, verb, name));
            }
          }
        }
      }
    }
  }
  return out;
}

export function permissionKey(group: string, resource: string, verb: string, name = ''): string {
  return `${group || 'core'}/${resource} ${verb}${name ? ` (${name})` : ''}`;
}

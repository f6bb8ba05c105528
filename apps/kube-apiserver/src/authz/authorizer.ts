import { SYSTEM_MASTERS, type UserInfo } from '../auth/user-info';
import type { NodeAuthorizer } from './node-authorizer';
import type { RequestAttributes } from './policy-rule';
import type { Decision, RbacAuthorizer } from './rbac-authorizer';

export const AUTHORIZATION_MODES = ['Node', 'RBAC', 'AlwaysAllow'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Anything that can answer "may this user do that?" (authorizer.Authorizer). */
export interface Authorizer {
  authorize(user: UserInfo, attributes: RequestAttributes): Decision;
}

/** The authorizers `--authorization-mode` can name. */
export interface ModeAuthorizers {
  rbac: RbacAuthorizer;
  node?: NodeAuthorizer;
}

/**
 * The union authorizer kube-apiserver builds from `--authorization-mode` (union.go): first the
 * privileged group authorizer (system:masters may do anything), then each mode in order; the
 * first to allow wins, otherwise the request is denied with every reason given, one per line.
 */
export function buildAuthorizer(modes: AuthorizationMode[], by: ModeAuthorizers): Authorizer {
  const chain: Authorizer[] = modes.map((mode) => {
    if (mode === 'AlwaysAllow') {
      return { authorize: () => ({ allowed: true, reason: '' }) };
    }
    const authorizer = mode === 'Node' ? by.node : by.rbac;
    if (!authorizer) {
      throw new Error(`authorization mode ${mode} has no authorizer`);
    }
    return authorizer;
  });
  return {
    authorize(user, attributes) {
      if (user.groups.includes(SYSTEM_MASTERS)) {
        return { allowed: true, reason: '' };
      }
      const reasons: string[] = [];
      for (const authorizer of chain) {
        const decision = authorizer.authorize(user, attributes);
        if (decision.allowed) {
          return decision;
        }
        if (decision.reason) {
          reasons.push(decision.reason);
        }
      }
      return { allowed: false, reason: reasons.join('\n') };
    },
  };
}

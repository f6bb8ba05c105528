import { SYSTEM_MASTERS, type UserInfo } from '../auth/user-info';
import type { RequestAttributes } from './policy-rule';
import type { Decision, RbacAuthorizer } from './rbac-authorizer';

export const AUTHORIZATION_MODES = ['RBAC', 'AlwaysAllow'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Anything that can answer "may this user do that?" (authorizer.Authorizer). */
export interface Authorizer {
  authorize(user: UserInfo, attributes: RequestAttributes): Decision;
}

/**
 * The union authorizer kube-apiserver builds from `--authorization-mode`: first the privileged
 * group authorizer (system:masters may do anything), then each mode in order; the first to allow
 * wins, otherwise the request is denied with the last reason given.
 */
export function buildAuthorizer(modes: AuthorizationMode[], rbac: RbacAuthorizer): Authorizer {
  return {
    authorize(user, attributes) {
      if (user.groups.includes(SYSTEM_MASTERS)) {
        return { allowed: true, reason: '' };
      }
      let reason = '';
      for (const mode of modes) {
        if (mode === 'AlwaysAllow') {
          return { allowed: true, reason: '' };
        }
        const decision = rbac.authorize(user, attributes);
        if (decision.allowed) {
          return decision;
        }
        reason = decision.reason || reason;
      }
      return { allowed: false, reason };
    },
  };
}

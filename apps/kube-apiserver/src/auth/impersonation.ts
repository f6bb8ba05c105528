import type { IncomingHttpHeaders } from 'node:http';
import type { Authorizer } from '../authz/authorizer';
import { forbiddenError } from '../authz/forbidden';
import { resourceAttributes, type RequestAttributes } from '../authz/policy-rule';
import { badRequest } from '../errors/kube-error';
import {
  serviceAccountGroups,
  splitServiceAccountUser,
  withAuthenticated,
  type UserInfo,
} from './user-info';

const EXTRA_PREFIX = 'impersonate-extra-';

const headerValues = (headers: IncomingHttpHeaders, name: string): string[] => {
  const v = headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : v.split(',').map((s) => s.trim());
};

function attributes(
  verb: string,
  apiGroup: string,
  resource: string,
  name: string,
  extra: Partial<RequestAttributes> = {},
): RequestAttributes {
  return resourceAttributes({ verb, apiGroup, resource, name, ...extra });
}

/**
 * The impersonation filter (k8s.io/apiserver pkg/endpoints/filters/impersonation.go):
 * `Impersonate-User`, `-Group`, `-Uid` and `-Extra-<key>` headers (`kubectl --as`,
 * `--as-group`, `--as-uid`) make the request run as that user, if the requester may `impersonate`
 * each of them (users, groups, serviceaccounts in their namespace, uids and userextras in
 * authentication.k8s.io). Returns the requester itself when there are no such headers.
 */
export function impersonate(
  headers: IncomingHttpHeaders,
  requester: UserInfo,
  authorizer: Authorizer,
): UserInfo {
  const userName = headers['impersonate-user'];
  const groups = headerValues(headers, 'impersonate-group');
  const uid = headers['impersonate-uid'];
  const extraKeys = Object.keys(headers).filter((h) => h.startsWith(EXTRA_PREFIX));
  if (
    userName === undefined &&
    groups.length === 0 &&
    uid === undefined &&
    extraKeys.length === 0
  ) {
    return requester;
  }
  if (typeof userName !== 'string' || userName === '') {
    throw badRequest(
      'requested impersonation of groups, uid or extra without impersonating a user',
    );
  }
  const checks: RequestAttributes[] = [];
  const sa = splitServiceAccountUser(userName);
  checks.push(
    sa
      ? attributes('impersonate', '', 'serviceaccounts', sa.name, { namespace: sa.namespace })
      : attributes('impersonate', '', 'users', userName),
  );
  for (const group of groups) {
    checks.push(attributes('impersonate', '', 'groups', group));
  }
  const extra: Record<string, string[]> = {};
  for (const header of extraKeys) {
    const key = decodeURIComponent(header.slice(EXTRA_PREFIX.length));
    const values = headerValues(headers, header);
    extra[key] = values;
    for (const value of values) {
      checks.push(
        attributes('impersonate', 'authentication.k8s.io', 'userextras', value, {
          subresource: key,
        }),
      );
    }
  }
  if (typeof uid === 'string' && uid !== '') {
    checks.push(attributes('impersonate', 'authentication.k8s.io', 'uids', uid));
  }
  for (const check of checks) {
    const decision = authorizer.authorize(requester, check);
    if (!decision.allowed) {
      throw forbiddenError(requester.name, check, decision.reason);
    }
  }
  return withAuthenticated({
    name: userName,
    uid: typeof uid === 'string' ? uid : '',
    groups: sa && groups.length === 0 ? serviceAccountGroups(sa.namespace) : groups,
    extra,
  });
}

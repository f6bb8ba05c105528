/** An authenticated identity (k8s.io/apiserver pkg/authentication/user.Info). */
export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const SYSTEM_MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<ns>:<name>` (serviceaccount.MakeUsername). */
export const serviceAccountUser = (namespace: string, name: string): string =>
  `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;

/** The groups every ServiceAccount is in (serviceaccount.MakeGroupNames). */
export const serviceAccountGroups = (namespace: string): string[] => [
  SERVICE_ACCOUNTS,
  `${SERVICE_ACCOUNTS}:${namespace}`,
];

/** Namespace and name of a ServiceAccount user, or undefined for other users. */
export function splitServiceAccountUser(
  user: string,
): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    return undefined;
  }
  const parts = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  return parts.length === 2 && parts[0] && parts[1]
    ? { namespace: parts[0], name: parts[1] }
    : undefined;
}

/** Every authenticated user is in system:authenticated (the union authenticator's group adder). */
export function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED)
    ? user
    : { ...user, groups: [...user.groups, AUTHENTICATED] };
}

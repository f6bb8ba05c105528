/*
 * Just enough of the api-server's authorization attributes (k8s.io/apiserver
 * endpoints/request/requestinfo.go) and of RBAC rule matching (rbac/v1 helpers) to ask, for a
 * recorded request, "would these roles allow it?" — and, the other way round, which permissions
 * were never exercised.
 */

export interface RequestAttributes {
  resourceRequest: boolean;
  verb: string;
  apiGroup: string;
  /** `nodes`, or `nodes/status` for a subresource. */
  resource: string;
  namespace: string;
  name: string;
  /** Non-resource requests: the path. */
  path: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** A role's rules and where they apply: a Role only in its namespace. */
export interface BoundRules {
  source: string;
  namespace?: string;
  rules: PolicyRule[];
}

const VERBS: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
  GET: 'get',
  HEAD: 'get',
};

export function requestAttributes(method: string, url: string): RequestAttributes {
  const parsed = new URL(url, 'http://localhost');
  const parts = parsed.pathname.split('/').filter((p) => p !== '');
  const nonResource: RequestAttributes = {
    resourceRequest: false,
    verb: method.toLowerCase(),
    apiGroup: '',
    resource: '',
    namespace: '',
    name: '',
    path: parsed.pathname,
  };
  let rest: string[];
  let apiGroup = '';
  if (parts[0] === 'api' && parts.length >= 3) {
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  let verb = VERBS[method] ?? method.toLowerCase();
  if (rest[0] === 'watch') {
    verb = 'watch';
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    rest = rest.length > 2 ? rest.slice(2) : ['namespaces', namespace];
  }
  const [resource, name = '', subresource] = rest;
  const watchParam = parsed.searchParams.get('watch');
  if (verb === 'get' && name === '') {
    verb = watchParam === 'true' || watchParam === '1' ? 'watch' : 'list';
  } else if (verb === 'get' && (watchParam === 'true' || watchParam === '1')) {
    verb = 'watch';
  }
  if (verb === 'delete' && name === '') {
    verb = 'deletecollection';
  }
  // list/watch narrowed to one object by field selector are authorised for that name.
  const byName = /(?:^|,)metadata\.name=([^,]+)/.exec(
    parsed.searchParams.get('fieldSelector') ?? '',
  );
  return {
    resourceRequest: true,
    verb,
    apiGroup,
    resource: subresource ? `${resource}/${subresource}` : resource,
    namespace,
    name: name || (byName && (verb === 'list' || verb === 'watch') ? byName[1] : ''),
    path: parsed.pathname,
  };
}

const has = (list: string[] | undefined, value: string) =>
  (list ?? []).includes('*') || (list ?? []).includes(value);

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) {
    return false;
  }
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === a.path || u === '*' || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))),
    );
  }
  const [resource, subresource] = a.resource.split('/');
  const resourceMatches =
    has(rule.resources, a.resource) ||
    (subresource !== undefined && (rule.resources ?? []).includes(`*/${subresource}`)) ||
    (subresource === undefined && (rule.resources ?? []).includes(resource));
  const names = rule.resourceNames ?? [];
  return (
    has(rule.apiGroups, a.apiGroup) &&
    resourceMatches &&
    (names.length === 0 || (a.name !== '' && names.includes(a.name)))
  );
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
  source: 'ClusterRole/system:discovery + system:public-info-viewer',
  rules: [
    {
      verbs: ['get'],
      nonResourceURLs: [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
    },
  ],
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

import { isPlainObject } from '../object/types';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** What an authorizer decides about (k8s.io/apiserver pkg/authorization/authorizer.Attributes). */
export interface RequestAttributes {
  resourceRequest: boolean;
  verb: string;
  /** Non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** list/watch: the `fieldSelector` query (the Node authorizer scopes pod lists with it). */
  fieldSelector?: string;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The rules of a stored Role or ClusterRole, read defensively (validation already ran). */
export function rulesOf(role: object): PolicyRule[] {
  const raw = (role as { rules?: unknown }).rules;
  const rules = Array.isArray(raw) ? raw : [];
  return rules.filter(isPlainObject).map((r) => ({
    verbs: strings(r.verbs),
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  }));
}

/** Attributes of a resource request; unset fields are empty (cluster scope, no name). */
export function resourceAttributes(a: Partial<RequestAttributes>): RequestAttributes {
  return {
    resourceRequest: true,
    verb: '',
    path: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    ...a,
  };
}

/** Attributes of a request for a path outside the API (`/healthz`, `/metrics`, …). */
export function nonResourceAttributes(verb: string, path: string): RequestAttributes {
  return { ...resourceAttributes({ verb, path }), resourceRequest: false };
}

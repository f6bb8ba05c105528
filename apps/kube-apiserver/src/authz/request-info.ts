import { queryBool } from '../api/query-params';
import { nonResourceAttributes, resourceAttributes, type RequestAttributes } from './policy-rule';

const VERB_OF_METHOD: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};
/** Subresources of a namespace itself (`namespaces/<ns>/status`), not a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);

/** `metadata.name=<x>` (or `==`) when it is the only requirement of a field selector. */
function exactName(selector: string | null): string | undefined {
  if (!selector) {
    return undefined;
  }
  const terms = selector.split(',').filter((t) => t.trim() !== '');
  if (terms.length !== 1) {
    return undefined;
  }
  const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(terms[0]);
  return m && m[1] !== '' && !/[/%]/.test(m[1]) && m[1] !== '.' && m[1] !== '..' ? m[1] : undefined;
}

/**
 * The attributes of one request, derived as upstream's RequestInfoFactory
 * (k8s.io/apiserver pkg/endpoints/request/requestinfo.go): `/api/v1/…` and
 * `/apis/<group>/<version>/…` are resource requests, everything else (and `/api/v1` itself) a
 * non-resource request whose verb is the lower-cased method.
 */
export function requestAttributes(method: string, rawUrl: string): RequestAttributes {
  const url = new URL(rawUrl, 'https://localhost');
  const path = url.pathname;
  const nonResource = nonResourceAttributes(method.toLowerCase(), path);
  let parts = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) {
    return nonResource;
  }
  const prefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (parts.length < 3) {
      return nonResource;
    }
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);
  let verb = VERB_OF_METHOD[method.toUpperCase()] ?? method.toLowerCase();
  if (SPECIAL_VERBS.has(parts[0])) {
    if (parts.length < 2) {
      return nonResource;
    }
    verb = parts[0];
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1];
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) {
        parts = parts.slice(2);
      }
    }
  }
  const attributes = resourceAttributes({
    verb,
    path,
    apiGroup,
    apiVersion,
    resource: parts[0] ?? '',
    subresource: parts.length >= 3 && verb !== 'proxy' ? parts[2] : '',
    namespace,
    name: parts.length >= 2 ? parts[1] : '',
  });
  if (attributes.name === '' && attributes.verb === 'get') {
    attributes.verb = queryBool(url.searchParams, 'watch') ? 'watch' : 'list';
    attributes.name = exactName(url.searchParams.get('fieldSelector')) ?? '';
    const fieldSelector = url.searchParams.get('fieldSelector');
    if (fieldSelector) {
      attributes.fieldSelector = fieldSelector;
    }
  }
  if (attributes.name === '' && attributes.verb === 'delete') {
    attributes.verb = 'deletecollection';
  }
  return attributes;
}

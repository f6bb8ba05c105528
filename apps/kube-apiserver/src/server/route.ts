import type { ResourceRegistry } from '../registry/registry';
import type { ResourceType } from '../registry/resource-type';
import { KubeError } from '../errors/kube-error';

export interface ResourceRoute {
  type: ResourceType;
  /** Set for namespaced URLs; undefined for cluster-scoped kinds and all-namespaces lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** For `proxy`: the path after `/proxy`, as sent (undecoded; '' when there is none). */
  proxyPath?: string;
}

const notFoundPath = (path: string) =>
  new KubeError(404, 'NotFound', `the server could not find the requested resource (${path})`);

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` resource URLs:
 * `<res>`, `<res>/<name>[/<sub>]`, `namespaces/<ns>/<res>[/<name>[/<sub>]]`.
 */
export function parseResourcePath(
  path: string,
  registry: ResourceRegistry,
): ResourceRoute | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (!registry.hasGroupVersion(group, version)) {
    throw notFoundPath(path);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = registry.find(group, version, rest[2]);
    if (candidate && candidate.scope === 'Namespaced') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const type = registry.find(group, version, rest[0]);
  const proxy = rest[2] === 'proxy' && type?.subresources.includes('proxy');
  if (!type || (rest.length > 3 && !proxy)) {
    throw notFoundPath(path);
  }
  if (type.scope === 'Namespaced' && namespace === undefined && rest.length > 1) {
    throw notFoundPath(path);
  }
  const subresource = rest[2];
  if (subresource !== undefined && !type.subresources.includes(subresource as never)) {
    throw notFoundPath(path);
  }
  if (proxy) {
    // Everything after `<name>/proxy` goes to the backend as it came (upstream's proxyOpts.Path).
    const consumed = (group ? 3 : 2) + (namespace === undefined ? 0 : 2) + 3;
    const prefixSegments = path.replace(/^\/+/, '').split('/').slice(0, consumed);
    if (prefixSegments.includes('')) {
      throw notFoundPath(path); // `//` before /proxy: the authorizer would read other segments
    }
    const proxyPath = path.replace(/^\/+/, '').slice(prefixSegments.join('/').length);
    return { type, namespace, name: rest[1], subresource, proxyPath };
  }
  return { type, namespace, name: rest[1], subresource };
}

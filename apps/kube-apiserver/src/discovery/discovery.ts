import type { GroupVersion, ResourceRegistry } from '../registry/registry';
import type { ResourceType } from '../registry/resource-type';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  finalize: ['update'],
  eviction: ['create'],
  binding: ['create'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  proxy: ['create', 'delete', 'get', 'patch', 'update'],
  token: ['create'],
};
const SUBRESOURCE_KIND: Record<
  string,
  { group: string; version: string; kind: string } | undefined
> = {
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions' },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions' },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
};

/** What a subresource answers with: its own kind, `<Kind>ProxyOptions` for proxy (PodProxyOptions…), else the parent's. */
function subresourceKind(
  k: ResourceType,
  s: string,
): { group: string; version: string; kind: string } {
  if (s === 'proxy') {
    return { group: '', version: 'v1', kind: `${k.kind}ProxyOptions` };
  }
  return SUBRESOURCE_KIND[s] ?? { group: k.group, version: k.version, kind: k.kind };
}

/** The verbs of a kind: create only for the reviews, every REST verb otherwise. */
const verbsOf = (k: ResourceType): string[] => k.verbs ?? (k.createOnly ? ['create'] : VERBS);

export const AGGREGATED_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether the Accept header asks for aggregated discovery v2 (kubectl ≥ 1.30 does). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) {
    return undefined;
  }
  for (const part of accept.split(',')) {
    if (part.includes('as=APIGroupDiscoveryList') && part.includes('g=apidiscovery.k8s.io')) {
      if (/v=v2(;|$|\s)/.test(part)) {
        return 'v2';
      }
      if (part.includes('v=v2beta1')) {
        return 'v2beta1';
      }
    }
  }
  return undefined;
}

function aggregatedResource(k: ResourceType) {
  return {
    resource: k.resource,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.scope,
    singularResource: k.singular,
    verbs: verbsOf(k),
    ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
    ...(k.categories.length ? { categories: k.categories } : {}),
    ...(k.subresources.length
      ? {
          subresources: k.subresources.map((s) => ({
            subresource: s,
            responseKind: subresourceKind(k, s),
            verbs: SUBRESOURCE_VERBS[s],
          })),
        }
      : {}),
  };
}

/** APIGroupDiscoveryList for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  core: boolean,
  version: 'v2' | 'v2beta1',
) {
  const groups = new Map<string, GroupVersion[]>();
  for (const gv of registry.groupVersions()) {
    if ((gv.group === '') === core) {
      groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv]);
    }
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...groups.entries()].map(([group, gvs]) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: gvs.map((gv) => ({
        version: gv.version,
        freshness: 'Current',
        resources: registry.kindsOf(gv).map(aggregatedResource),
      })),
    })),
  };
}

export function legacyApiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]) {
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function legacyApiGroupList(registry: ResourceRegistry) {
  const groups = new Map<string, string[]>();
  for (const gv of registry.groupVersions()) {
    if (gv.group !== '') {
      groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
    }
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups.entries()].map(([g, vs]) => apiGroup(g, vs)),
  };
}

export function legacyApiGroup(registry: ResourceRegistry, group: string) {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => gv.version);
  return versions.length
    ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) }
    : undefined;
}

/** APIResourceList for `/api/v1` or `/apis/<group>/<version>` (kubectl drain, KubernetesObjectApi). */
export function apiResourceList(registry: ResourceRegistry, gv: GroupVersion) {
  const resources: Record<string, unknown>[] = [];
  for (const k of registry.kindsOf(gv)) {
    resources.push({
      name: k.resource,
      singularName: k.singular,
      namespaced: k.scope === 'Namespaced',
      kind: k.kind,
      verbs: verbsOf(k),
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length ? { categories: k.categories } : {}),
    });
    for (const s of k.subresources) {
      const sk = SUBRESOURCE_KIND[s] ?? (s === 'proxy' ? subresourceKind(k, s) : undefined);
      resources.push({
        name: `${k.resource}/${s}`,
        singularName: '',
        namespaced: k.scope === 'Namespaced',
        // Upstream names the group and version only where they differ from the parent's (eviction).
        ...(sk && (sk.group !== k.group || sk.version !== k.version)
          ? { group: sk.group, version: sk.version }
          : {}),
        kind: sk?.kind ?? k.kind,
        verbs: SUBRESOURCE_VERBS[s],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv.group ? `${gv.group}/${gv.version}` : gv.version,
    resources,
  };
}

import type { ResourceRegistry } from '../../registry/registry';
import type { ResourceType } from '../../registry/resource-type';
import type { Json } from './upstream-openapi';

/** What an OpenAPI path serves. */
export interface PathInfo {
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
}

/**
 * Classifies an upstream path template: `/api/v1/namespaces/{namespace}/pods/{name}/status`,
 * `/apis/apps/v1/watch/deployments`, `/apis/apps/v1/`, `/apis/apps/`, `/version/`.
 */
export function classifyPath(path: string): PathInfo {
  const parts = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length === 2) {
    return { group: parts[1] };
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return {};
  }
  if (rest[0] === 'watch') {
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) {
    rest = rest.slice(2);
  }
  return { group, version, resource: rest[0], subresource: rest[2] };
}

/**
 * Whether this server serves a path: root documents, group and group-version roots it has, and
 * resource paths of kinds and subresources in the registry (pods/log only once a kind declares it).
 */
export function isServed(
  info: PathInfo,
  registry: ResourceRegistry,
  rootPaths: Set<string>,
  path: string,
): boolean {
  if (info.group === undefined) {
    return rootPaths.has(path);
  }
  if (info.version === undefined) {
    return registry.groupVersions().some((gv) => gv.group === info.group);
  }
  if (!registry.hasGroupVersion(info.group, info.version)) {
    return false;
  }
  if (info.resource === undefined) {
    return true;
  }
  const kind = registry.find(info.group, info.version, info.resource);
  if (!kind) {
    return false;
  }
  return info.subresource === undefined || kind.subresources.includes(info.subresource as never);
}

const CBOR = new Set(['application/cbor', 'application/cbor-seq', 'application/apply-patch+cbor']);

/** Drops media types this server does not speak (CBOR) from produces/consumes and v3 content. */
export function withoutUnservedMediaTypes<T>(value: T, extraDrop: Set<string> = new Set()): T {
  const drop = (m: string) => CBOR.has(m) || extraDrop.has(m);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(walk);
    }
    if (v && typeof v === 'object') {
      const out: Json = {};
      for (const [k, child] of Object.entries(v)) {
        if ((k === 'produces' || k === 'consumes') && Array.isArray(child)) {
          out[k] = (child as string[]).filter((m) => !drop(m));
        } else if (k === 'content' && child && typeof child === 'object' && !Array.isArray(child)) {
          out[k] = Object.fromEntries(
            Object.entries(child as Json)
              .filter(([m]) => !drop(m.split(';')[0]))
              .map(([m, c]) => [m, walk(c)]),
          );
        } else {
          out[k] = walk(child);
        }
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** `example.com` → `ExampleCom`, `` → `Core` (operation ids). */
function groupIdentifier(group: string): string {
  if (!group) {
    return 'Core';
  }
  return group
    .split('.')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

interface Template {
  group: string;
  version: string;
  resource: string;
  kind: string;
  definition: string;
  listDefinition: string;
}

/** Namespaced kinds are published like ConfigMaps, cluster-scoped ones like StorageClasses. */
const NAMESPACED: Template = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  definition: 'io.k8s.api.core.v1.ConfigMap',
  listDefinition: 'io.k8s.api.core.v1.ConfigMapList',
};
const CLUSTER: Template = {
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  definition: 'io.k8s.api.storage.v1.StorageClass',
  listDefinition: 'io.k8s.api.storage.v1.StorageClassList',
};
/** Subresource templates: status of a Deployment / PersistentVolume, scale of a Deployment. */
const STATUS = {
  Namespaced: {
    ...NAMESPACED,
    group: 'apps',
    resource: 'deployments',
    kind: 'Deployment',
    definition: 'io.k8s.api.apps.v1.Deployment',
  },
  Cluster: {
    ...CLUSTER,
    group: '',
    resource: 'persistentvolumes',
    kind: 'PersistentVolume',
    definition: 'io.k8s.api.core.v1.PersistentVolume',
  },
};
const SCALE = { ...STATUS.Namespaced };

const prefixOf = (g: string, v: string) => (g ? `/apis/${g}/${v}` : `/api/${v}`);

export interface SynthesisInput {
  kind: ResourceType;
  definition: string;
  listDefinition: string;
  /** `#/definitions/` (v2) or `#/components/schemas/` (v3). */
  refPrefix: string;
  /** The upstream paths (v2 or the v3 document of the template's group version). */
  upstreamPaths: (group: string, version: string) => Record<string, Json>;
}

/**
 * Paths for a kind upstream does not publish (kinds defined at run time, e.g. CRDs): the
 * template kind's operations with its names, definitions and GroupVersionKind replaced, as
 * apiextensions-apiserver builds them from one template for every custom resource.
 */
export function synthesizePaths(input: SynthesisInput): Record<string, Json> {
  const { kind } = input;
  const base = kind.scope === 'Namespaced' ? NAMESPACED : CLUSTER;
  const out: Record<string, Json> = {};
  const copy = (t: Template, subresource?: string) => {
    const paths = input.upstreamPaths(t.group, t.version);
    for (const [path, item] of Object.entries(paths)) {
      const info = classifyPath(path);
      if (info.resource !== t.resource || info.subresource !== subresource) {
        continue;
      }
      const newPath = path
        .replace(prefixOf(t.group, t.version), prefixOf(kind.group, kind.version))
        .replace(`/${t.resource}`, `/${kind.resource}`);
      const renamed = withServedVerbs(rename(item, t, input, subresource), kind.verbs);
      if (renamed) {
        out[newPath] = renamed;
      }
    }
  };
  copy(base);
  if (kind.subresources.includes('status')) {
    copy(STATUS[kind.scope], 'status');
  }
  if (kind.subresources.includes('scale')) {
    copy(SCALE, 'scale');
  }
  return out;
}

const ACTION_VERBS: Record<string, string> = { post: 'create', put: 'update', watchlist: 'watch' };
const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** The path item with only the operations of the kind's verbs (all when it names none). */
function withServedVerbs(item: Json, verbs: string[] | undefined): Json | undefined {
  if (!verbs) {
    return item;
  }
  const kept = Object.fromEntries(
    Object.entries(item).filter(([method, op]) => {
      if (!OPERATIONS.includes(method)) {
        return true;
      }
      const declared = (op as Json)['x-kubernetes-action'];
      const action = typeof declared === 'string' ? declared : '';
      return verbs.includes(ACTION_VERBS[action] ?? action);
    }),
  );
  return Object.keys(kept).some((k) => OPERATIONS.includes(k)) ? kept : undefined;
}

function rename(
  item: Json,
  t: Template,
  input: SynthesisInput,
  subresource: string | undefined,
): Json {
  const { kind } = input;
  const fromId = `${groupIdentifier(t.group)}${t.version.charAt(0).toUpperCase()}${t.version.slice(1)}`;
  const toId = `${groupIdentifier(kind.group)}${kind.version.charAt(0).toUpperCase()}${kind.version.slice(1)}`;
  const fromTag = `${t.group ? t.group.split('.')[0] : 'core'}_${t.version}`;
  const toTag = `${kind.group ? kind.group.replace(/\./g, '') : 'core'}_${kind.version}`;
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      return key === 'consumes' && kind.customResource
        ? v.filter((m) => m !== 'application/strategic-merge-patch+json')
        : v.map((x) => walk(x, key));
    }
    if (v && typeof v === 'object') {
      const o = v as Json;
      if (key === 'x-kubernetes-group-version-kind') {
        return o.kind === t.kind
          ? { group: kind.group, kind: kind.kind, version: kind.version }
          : o;
      }
      const out: Json = {};
      for (const [k, child] of Object.entries(o)) {
        if (k === 'content' && kind.customResource && child && typeof child === 'object') {
          out[k] = Object.fromEntries(
            Object.entries(child as Json)
              .filter(([m]) => m !== 'application/strategic-merge-patch+json')
              .map(([m, c]) => [m, walk(c, m)]),
          );
        } else {
          out[k] = walk(child, k);
        }
      }
      return out;
    }
    if (typeof v === 'string') {
      if (key === '$ref') {
        return v
          .replace(
            `${input.refPrefix}${t.listDefinition}`,
            `${input.refPrefix}${input.listDefinition}`,
          )
          .replace(
            new RegExp(`${escape(input.refPrefix + t.definition)}$`),
            `${input.refPrefix}${input.definition}`,
          );
      }
      if (key === 'operationId') {
        return v.replace(fromId, toId).replace(t.kind, kind.kind);
      }
      if (key === 'description') {
        return v.replace(new RegExp(`\\b${t.kind}\\b`, 'g'), kind.kind);
      }
      if (key === 'tags') {
        return v === fromTag ? toTag : v;
      }
    }
    return v;
  };
  void subresource;
  return walk(item) as Json;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import {
  addLists,
  countQuantity,
  maxInto,
  parseQuotaList,
  parseQuotaQuantity,
  type QuotaList,
} from './resource-list';
import { isObject, objectsIn, text, type Json } from './json';

/** A quota's scope as a selector requirement (`spec.scopes` become `Exists` requirements). */
export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/**
 * pkg/quota/v1 Evaluator for one group/resource: which quota names it tracks, what one object
 * uses, whether it falls in a scope, and which writes change usage.
 */
export interface QuotaEvaluator {
  readonly group: string;
  readonly resource: string;
  /** The names among `names` this evaluator measures. */
  matchingResources(names: readonly string[]): string[];
  usage(obj: object, nowMs: number): QuotaList;
  /** Only pods have scopes; every other kind matches no scope (generic.MatchesNoScopeFunc). */
  matchesScope(requirement: ScopeRequirement, obj: object): boolean;
  /** Updates change usage (services' type and ports, claims' size); creates always do. */
  readonly chargesUpdates: boolean;
  /** The pod rule: quota'd cpu or memory must be set on every container; the message or undefined. */
  constraints?(required: readonly string[], obj: object): string | undefined;
}

/** generic.ObjectCountQuotaResourceNameFor: `count/pods`, `count/deployments.apps`. */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The group and resource a `count/<resource>[.<group>]` name counts, or undefined. */
export function parseObjectCountName(
  name: string,
): { group: string; resource: string } | undefined {
  const match = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  return match ? { resource: match[1], group: match[2] ?? '' } : undefined;
}

/** Virtual or never-quota'd resources (pkg/quota/v1/install ignoredResources). */
const IGNORED = new Set([
  '/bindings',
  '/componentstatuses',
  '/events',
  'events.k8s.io/events',
  'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

/** generic.NewObjectCountEvaluator, with the legacy name some core kinds also answer to. */
function objectCountEvaluator(group: string, resource: string, alias?: string): QuotaEvaluator {
  const countName = objectCountName(group, resource);
  const names = alias ? [countName, alias] : [countName];
  return {
    group,
    resource,
    chargesUpdates: false,
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    usage: () => new Map(names.map((n) => [n, countQuantity(1)])),
    matchesScope: () => false,
  };
}

const HUGEPAGES = 'hugepages-';
const REQUESTS = 'requests.';

/** IsNativeResource: unprefixed, or in the kubernetes.io namespace. */
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
/** helper.IsExtendedResourceName (without the qualified-name check validation already did). */
const isExtended = (name: string) => !isNative(name) && !name.startsWith(REQUESTS);

const POD_RESOURCES = [
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
];

/** Quota'd cpu and memory must be requested by every container ("it was a mistake", upstream). */
const VALIDATION_SET = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** podComputeUsageHelper: one container's (or a whole pod's) requests and limits as quota names. */
function computeUsage(requests: QuotaList, limits: QuotaList): QuotaList {
  const result: QuotaList = new Map([['pods', countQuantity(1)]]);
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    const request = requests.get(name);
    if (request) {
      result.set(name, request);
      result.set(`${REQUESTS}${name}`, request);
    }
    const limit = limits.get(name);
    if (limit) {
      result.set(`limits.${name}`, limit);
    }
  }
  for (const [name, request] of requests) {
    if (name.startsWith(HUGEPAGES)) {
      result.set(name, request);
      result.set(`${REQUESTS}${name}`, request);
    }
    if (isExtended(name)) {
      result.set(`${REQUESTS}${name}`, request);
    }
  }
  return result;
}

const resourcesOf = (c: Json, key: 'requests' | 'limits'): QuotaList =>
  parseQuotaList(isObject(c.resources) ? c.resources[key] : undefined);

/**
 * resourcehelper.PodRequests / PodLimits: containers and sidecars summed, each regular init
 * container (with the sidecars started before it) as a floor, then the pod overhead (limits
 * only where a limit is set).
 */
function podTotals(spec: Json, key: 'requests' | 'limits'): QuotaList {
  let total: QuotaList = new Map();
  for (const c of objectsIn(spec.containers)) {
    total = addLists(total, resourcesOf(c, key));
  }
  let sidecars: QuotaList = new Map();
  const initFloor: QuotaList = new Map();
  for (const c of objectsIn(spec.initContainers)) {
    const own = resourcesOf(c, key);
    if (c.restartPolicy === 'Always') {
      total = addLists(total, own);
      sidecars = addLists(sidecars, own);
      maxInto(initFloor, sidecars);
    } else {
      maxInto(initFloor, addLists(own, sidecars));
    }
  }
  maxInto(total, initFloor);
  const overhead = parseQuotaList(spec.overhead);
  for (const [name, q] of overhead) {
    if (key === 'requests' || total.has(name)) {
      total = addLists(total, new Map([[name, q]]));
    }
  }
  return total;
}

/** QuotaV1Pod: terminal pods, and pods past their deletion grace, are not charged. */
export function podIsCharged(pod: Json, nowMs: number): boolean {
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  if (phase === 'Failed' || phase === 'Succeeded') {
    return false;
  }
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  const deletion =
    typeof meta.deletionTimestamp === 'string' ? Date.parse(meta.deletionTimestamp) : NaN;
  const grace = meta.deletionGracePeriodSeconds;
  if (!Number.isNaN(deletion) && typeof grace === 'number') {
    return nowMs <= deletion + grace * 1000;
  }
  return true;
}

/** qos.GetPodQOS == BestEffort: no container asks for or caps cpu or memory. */
function isBestEffort(spec: Json): boolean {
  for (const c of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) {
    for (const key of ['requests', 'limits'] as const) {
      const list = resourcesOf(c, key);
      if ((list.get('cpu')?.milli ?? 0n) !== 0n || (list.get('memory')?.milli ?? 0n) !== 0n) {
        return false;
      }
    }
  }
  return true;
}

function usesCrossNamespaceAffinity(spec: Json): boolean {
  const affinity = isObject(spec.affinity) ? spec.affinity : {};
  const crossNamespace = (term: Json) =>
    (Array.isArray(term.namespaces) && term.namespaces.length > 0) ||
    (term.namespaceSelector !== undefined && term.namespaceSelector !== null);
  return ['podAffinity', 'podAntiAffinity'].some((kind) => {
    const a = isObject(affinity[kind]) ? affinity[kind] : {};
    return (
      objectsIn(a.requiredDuringSchedulingIgnoredDuringExecution).some(crossNamespace) ||
      objectsIn(a.preferredDuringSchedulingIgnoredDuringExecution).some((w) =>
        crossNamespace(isObject(w.podAffinityTerm) ? w.podAffinityTerm : {}),
      )
    );
  });
}

/** ScopedResourceSelectorRequirementsAsSelector matched against `{PriorityClass: <class>}`. */
function priorityClassMatches(requirement: ScopeRequirement, className: string): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return className !== '' && values.includes(className);
    case 'NotIn':
      return className === '' || !values.includes(className);
    case 'Exists':
      return className !== '';
    case 'DoesNotExist':
      return className === '';
    default:
      return false;
  }
}

function podMatchesScope(requirement: ScopeRequirement, pod: Json): boolean {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const deadline = spec.activeDeadlineSeconds;
  const terminating = typeof deadline === 'number' && deadline >= 0;
  switch (requirement.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'PriorityClass':
      return priorityClassMatches(requirement, text(spec.priorityClassName));
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(spec);
    default:
      return false;
  }
}

/** The pod evaluator (pkg/quota/v1/evaluator/core/pods.go). */
const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  chargesUpdates: false, // only the resize subresource, which simulated pods do not serve
  matchingResources: (input) =>
    input.filter(
      (n) =>
        POD_RESOURCES.includes(n) ||
        n.startsWith(HUGEPAGES) ||
        n.startsWith(`${REQUESTS}${HUGEPAGES}`) ||
        (n.startsWith(REQUESTS) && !isNative(n)),
    ),
  usage(obj, nowMs) {
    const pod = obj as Json;
    const result: QuotaList = new Map([['count/pods', countQuantity(1)]]);
    if (!podIsCharged(pod, nowMs)) {
      return result;
    }
    const spec = isObject(pod.spec) ? pod.spec : {};
    return addLists(result, computeUsage(podTotals(spec, 'requests'), podTotals(spec, 'limits')));
  },
  matchesScope: (requirement, pod) => podMatchesScope(requirement, pod as Json),
  constraints(required, obj) {
    const pod = obj as Json;
    const requiredSet = required.filter((n) => VALIDATION_SET.has(n));
    const spec = isObject(pod.spec) ? pod.spec : {};
    const missing = new Map<string, Set<string>>();
    for (const c of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) {
      const usage = computeUsage(resourcesOf(c, 'requests'), resourcesOf(c, 'limits'));
      for (const name of requiredSet.filter((n) => !usage.has(n))) {
        missing.set(name, (missing.get(name) ?? new Set()).add(text(c.name)));
      }
    }
    if (missing.size === 0) {
      return undefined;
    }
    const parts = [...missing.keys()]
      .sort()
      .map((name) => `${name} for: ${[...missing.get(name)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

const SERVICE_RESOURCES = [
  'count/services',
  'services',
  'services.nodeports',
  'services.loadbalancers',
];

/** The service evaluator (services.go): LoadBalancers and NodePorts count their node ports. */
const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  chargesUpdates: true,
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.includes(n)),
  usage(obj) {
    const svc = obj as Json;
    const spec = isObject(svc.spec) ? svc.spec : {};
    const ports = objectsIn(spec.ports);
    let nodePorts = 0;
    let loadBalancers = 0;
    if (spec.type === 'NodePort') {
      nodePorts = ports.length;
    } else if (spec.type === 'LoadBalancer') {
      // Without node ports allocated, only ports that name one explicitly count.
      nodePorts =
        spec.allocateLoadBalancerNodePorts === false
          ? ports.filter((p) => typeof p.nodePort === 'number' && p.nodePort !== 0).length
          : ports.length;
      loadBalancers = 1;
    }
    return new Map([
      ['count/services', countQuantity(1)],
      ['services', countQuantity(1)],
      ['services.loadbalancers', countQuantity(loadBalancers)],
      ['services.nodeports', countQuantity(nodePorts)],
    ]);
  },
  matchesScope: () => false,
};

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const CLAIM_RESOURCES = ['persistentvolumeclaims', 'requests.storage'];

/** The claim evaluator (persistent_volume_claims.go): counts and storage, also per class. */
const claimEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  chargesUpdates: true,
  matchingResources: (input) =>
    input.filter(
      (n) =>
        n === 'count/persistentvolumeclaims' ||
        CLAIM_RESOURCES.includes(n) ||
        CLAIM_RESOURCES.some((r) => n.endsWith(`${STORAGE_CLASS_SUFFIX}${r}`)),
    ),
  usage(obj) {
    const claim = obj as Json;
    const spec = isObject(claim.spec) ? claim.spec : {};
    const meta = isObject(claim.metadata) ? claim.metadata : {};
    const annotations = isObject(meta.annotations) ? meta.annotations : {};
    // GetPersistentVolumeClaimClass: the beta annotation wins over the field.
    const className =
      text(annotations['volume.beta.kubernetes.io/storage-class']) || text(spec.storageClassName);
    const result: QuotaList = new Map([
      ['count/persistentvolumeclaims', countQuantity(1)],
      ['persistentvolumeclaims', countQuantity(1)],
    ]);
    if (className) {
      result.set(`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, countQuantity(1));
    }
    const requests = isObject(spec.resources) ? spec.resources.requests : undefined;
    let storage = parseQuotaQuantity(isObject(requests) ? requests.storage : undefined);
    // A resize under way is charged at the larger of the request and what was allocated.
    const status = isObject(claim.status) ? claim.status : {};
    const allocated = parseQuotaQuantity(
      isObject(status.allocatedResources) ? status.allocatedResources.storage : undefined,
    );
    if (allocated && (!storage || allocated.milli > storage.milli)) {
      storage = allocated;
    }
    if (storage) {
      result.set('requests.storage', storage);
      if (className) {
        result.set(`${className}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
      }
    }
    return result;
  },
  matchesScope: () => false,
};

/** Core kinds whose object count also answers to a name without `count/` (install/registry.go). */
const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'configmaps',
  resourcequotas: 'resourcequotas',
  replicationcontrollers: 'replicationcontrollers',
  secrets: 'secrets',
};

/**
 * The evaluator for a group/resource: pods, services and claims have their own, core kinds with a
 * legacy name count under both, everything else is counted as `count/<resource>.<group>`;
 * undefined for resources quota ignores (events, reviews, bindings).
 */
export function quotaEvaluatorFor(group: string, resource: string): QuotaEvaluator | undefined {
  const key = `${group}/${resource}`;
  if (IGNORED.has(key)) {
    return undefined;
  }
  let evaluator = evaluators.get(key);
  if (!evaluator) {
    evaluator = newEvaluator(group, resource);
    evaluators.set(key, evaluator);
  }
  return evaluator;
}

/** One evaluator per group/resource, so callers may key maps by evaluator. */
const evaluators = new Map<string, QuotaEvaluator>();

function newEvaluator(group: string, resource: string): QuotaEvaluator {
  if (group === '') {
    switch (resource) {
      case 'pods':
        return podEvaluator;
      case 'services':
        return serviceEvaluator;
      case 'persistentvolumeclaims':
        return claimEvaluator;
    }
  }
  return objectCountEvaluator(
    group,
    resource,
    group === '' ? LEGACY_COUNT_NAMES[resource] : undefined,
  );
}

/** The evaluators registered from the start (the rest are made for `count/...` names). */
export const CORE_QUOTA_EVALUATORS: readonly QuotaEvaluator[] = [
  podEvaluator,
  serviceEvaluator,
  claimEvaluator,
  ...Object.keys(LEGACY_COUNT_NAMES).map((r) => quotaEvaluatorFor('', r)!),
];

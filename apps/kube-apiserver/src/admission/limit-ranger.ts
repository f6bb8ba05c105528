import { formatBinaryQuantity, quantityMilliValue } from '@app/csi';
import { objectsIn } from '../registry/object-path';
import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import type { CreateAdmission } from '../api/resource-service';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';

/** The annotation naming what the plugin defaulted (`kubernetes.io/limit-ranger`). */
export const ANN_LIMIT_RANGER = 'kubernetes.io/limit-ranger';

type ResourceList = Record<string, string>;

const resourceList = (v: unknown): ResourceList =>
  isPlainObject(v)
    ? (Object.fromEntries(
        Object.entries(v).filter(([, q]) => typeof q === 'string'),
      ) as ResourceList)
    : {};
const sortedKeys = (list: ResourceList) => Object.keys(list).sort();

/** Quantity.MilliValue, or undefined for text validation will refuse later. */
function milli(text: string | undefined): bigint | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    return quantityMilliValue(text);
  } catch {
    return undefined;
  }
}

/** minConstraint (plugin/pkg/admission/limitranger). */
function minConstraint(
  limitType: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const min = milli(enforced) ?? 0n;
  if (req === undefined) {
    return `minimum ${name} usage per ${limitType} is ${enforced}.  No request is specified`;
  }
  if ((milli(req) ?? 0n) < min) {
    return `minimum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  }
  if (lim !== undefined && (milli(lim) ?? 0n) < min) {
    return `minimum ${name} usage per ${limitType} is ${enforced}, but limit is ${lim}`;
  }
  return undefined;
}

/** maxConstraint. */
function maxConstraint(
  limitType: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  const max = milli(enforced) ?? 0n;
  if (lim === undefined) {
    return `maximum ${name} usage per ${limitType} is ${enforced}.  No limit is specified`;
  }
  if ((milli(lim) ?? 0n) > max) {
    return `maximum ${name} usage per ${limitType} is ${enforced}, but limit is ${lim}`;
  }
  if (req !== undefined && (milli(req) ?? 0n) > max) {
    return `maximum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  }
  return undefined;
}

/** maxRequestConstraint: a claim's request against the max (claims have no limits). */
function maxRequestConstraint(
  limitType: string,
  name: string,
  enforced: string,
  requests: ResourceList,
): string | undefined {
  const req = requests[name];
  if (req === undefined) {
    return `maximum ${name} usage per ${limitType} is ${enforced}.  No request is specified`;
  }
  if ((milli(req) ?? 0n) > (milli(enforced) ?? 0n)) {
    return `maximum ${name} usage per ${limitType} is ${enforced}, but request is ${req}`;
  }
  return undefined;
}

/** limitRequestRatioConstraint; the observed ratio printed as Go's `%f`. */
function ratioConstraint(
  limitType: string,
  name: string,
  enforced: string,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = milli(requests[name]) ?? 0n;
  const lim = milli(limits[name]) ?? 0n;
  if (req === 0n) {
    return `${name} max limit to request ratio per ${limitType} is ${enforced}, but no request is specified or request is 0`;
  }
  if (lim === 0n) {
    return `${name} max limit to request ratio per ${limitType} is ${enforced}, but no limit is specified or limit is 0`;
  }
  const observed = Number(lim) / Number(req);
  if (observed * 1000 > Number(milli(enforced) ?? 0n)) {
    return `${name} max limit to request ratio per ${limitType} is ${enforced}, but provided ratio is ${observed.toFixed(6)}`;
  }
  return undefined;
}

function containerErrors(limitType: string, item: JsonObject, container: JsonObject): string[] {
  const resources = isPlainObject(container.resources) ? container.resources : {};
  const requests = resourceList(resources.requests);
  const limits = resourceList(resources.limits);
  const errors: (string | undefined)[] = [];
  const min = resourceList(item.min);
  const max = resourceList(item.max);
  const ratio = resourceList(item.maxLimitRequestRatio);
  for (const name of sortedKeys(min)) {
    errors.push(minConstraint(limitType, name, min[name], requests, limits));
  }
  for (const name of sortedKeys(max)) {
    errors.push(maxConstraint(limitType, name, max[name], requests, limits));
  }
  for (const name of sortedKeys(ratio)) {
    errors.push(ratioConstraint(limitType, name, ratio[name], requests, limits));
  }
  return errors.filter((e): e is string => e !== undefined);
}

/** A summed quantity as Quantity.String() would print it (binary when its parts were). */
function formatSum(milliValue: bigint, binary: boolean): string {
  if (milliValue % 1000n !== 0n) {
    return `${milliValue}m`;
  }
  const value = milliValue / 1000n;
  return binary ? formatBinaryQuantity(value) : String(value);
}

/** The pod's requests or limits as the scheduler counts them: containers summed, init containers' max. */
function podTotals(pod: KubeObject, key: 'requests' | 'limits'): ResourceList {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const totals = new Map<string, { value: bigint; binary: boolean }>();
  const listOf = (c: JsonObject) =>
    resourceList(isPlainObject(c.resources) ? c.resources[key] : undefined);
  for (const c of objectsIn(spec.containers)) {
    for (const [name, q] of Object.entries(listOf(c))) {
      const total = totals.get(name);
      totals.set(name, {
        value: (total?.value ?? 0n) + (milli(q) ?? 0n),
        binary: (total?.binary ?? true) && q.endsWith('i'),
      });
    }
  }
  for (const c of objectsIn(spec.initContainers)) {
    for (const [name, q] of Object.entries(listOf(c))) {
      const value = milli(q) ?? 0n;
      if (value > (totals.get(name)?.value ?? -1n)) {
        totals.set(name, { value, binary: q.endsWith('i') });
      }
    }
  }
  return Object.fromEntries(
    [...totals].map(([name, { value, binary }]) => [name, formatSum(value, binary)]),
  );
}

/** PodValidateLimitFunc for one LimitRange. */
function podErrors(range: KubeObject, pod: KubeObject): string[] {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const errors: string[] = [];
  for (const item of objectsIn(isPlainObject(range.spec) ? range.spec.limits : undefined)) {
    if (item.type === 'Container') {
      for (const c of [...objectsIn(spec.containers), ...objectsIn(spec.initContainers)]) {
        errors.push(...containerErrors('Container', item, c));
      }
    } else if (item.type === 'Pod') {
      const whole = {
        resources: { requests: podTotals(pod, 'requests'), limits: podTotals(pod, 'limits') },
      };
      errors.push(...containerErrors('Pod', item, whole));
    }
  }
  return errors;
}

/** PersistentVolumeClaimValidateLimitFunc for one LimitRange. */
function claimErrors(range: KubeObject, claim: KubeObject): string[] {
  const spec = isPlainObject(claim.spec) ? claim.spec : {};
  const requests = resourceList(
    isPlainObject(spec.resources) ? spec.resources.requests : undefined,
  );
  const errors: (string | undefined)[] = [];
  for (const item of objectsIn(isPlainObject(range.spec) ? range.spec.limits : undefined)) {
    if (item.type !== 'PersistentVolumeClaim') {
      continue;
    }
    const min = resourceList(item.min);
    const max = resourceList(item.max);
    for (const name of sortedKeys(min)) {
      errors.push(minConstraint('PersistentVolumeClaim', name, min[name], requests, {}));
    }
    for (const name of sortedKeys(max)) {
      errors.push(maxRequestConstraint('PersistentVolumeClaim', name, max[name], requests));
    }
  }
  return errors.filter((e): e is string => e !== undefined);
}

/**
 * mergeContainerResources: a container's missing limits and requests from the range's Container
 * defaults; returns what it set, in the annotation's words.
 */
function mergeDefaults(
  container: JsonObject,
  defaults: { limits: ResourceList; requests: ResourceList },
  prefix: string,
): string[] {
  const resources = isPlainObject(container.resources)
    ? container.resources
    : (container.resources = {});
  const limits = isPlainObject(resources.limits) ? resources.limits : (resources.limits = {});
  const requests = isPlainObject(resources.requests)
    ? resources.requests
    : (resources.requests = {});
  const setLimits = sortedKeys(defaults.limits).filter((k) => !(k in limits));
  const setRequests = sortedKeys(defaults.requests).filter((k) => !(k in requests));
  setLimits.forEach((k) => (limits[k] = defaults.limits[k]));
  setRequests.forEach((k) => (requests[k] = defaults.requests[k]));
  const name = typeof container.name === 'string' ? container.name : '';
  const notes: string[] = [];
  if (setRequests.length > 0) {
    notes.push(`${setRequests.join(', ')} request for ${prefix} ${name}`);
  }
  if (setLimits.length > 0) {
    notes.push(`${setLimits.join(', ')} limit for ${prefix} ${name}`);
  }
  // Upstream leaves empty maps in place; they are dropped on encoding (omitempty).
  if (Object.keys(limits).length === 0) {
    delete resources.limits;
  }
  if (Object.keys(requests).length === 0) {
    delete resources.requests;
  }
  return notes;
}

/** PodMutateLimitFunc: defaultContainerResourceRequirements + mergePodResourceRequirements. */
function applyDefaults(range: KubeObject, pod: KubeObject): void {
  const defaults = { limits: {} as ResourceList, requests: {} as ResourceList };
  for (const item of objectsIn(isPlainObject(range.spec) ? range.spec.limits : undefined)) {
    if (item.type === 'Container') {
      Object.assign(defaults.requests, resourceList(item.defaultRequest));
      Object.assign(defaults.limits, resourceList(item.default));
    }
  }
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const notes = [
    ...objectsIn(spec.containers).flatMap((c) => mergeDefaults(c, defaults, 'container')),
    ...objectsIn(spec.initContainers).flatMap((c) => mergeDefaults(c, defaults, 'init container')),
  ];
  if (notes.length > 0) {
    pod.metadata.annotations = {
      ...pod.metadata.annotations,
      [ANN_LIMIT_RANGER]: `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as it is, several de-duplicated in brackets. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/**
 * The LimitRanger admission plugin (plugin/pkg/admission/limitranger) on creates: each LimitRange
 * of the namespace gives a new pod's containers its Container defaults (`default` limits,
 * `defaultRequest` requests, noted in the `kubernetes.io/limit-ranger` annotation), then pods are
 * held to every range's Container and Pod min, max and maxLimitRequestRatio, and claims to the
 * PersistentVolumeClaim min and max of `storage`; a breach is a 403 naming each one. Pod updates
 * are not checked (their containers' resources cannot change), as upstream.
 */
export class LimitRangerAdmission implements CreateAdmission {
  constructor(private readonly limitRanges: TypedStore) {}

  admit(type: ResourceType, obj: KubeObject, requestedName: string): void {
    const isPod = type.group === '' && type.kind === 'Pod';
    const isClaim = type.group === '' && type.kind === 'PersistentVolumeClaim';
    if (!isPod && !isClaim) {
      return;
    }
    const ranges = this.limitRanges.list(obj.metadata.namespace ?? '').map((s) => s.object);
    if (ranges.length === 0) {
      return;
    }
    if (isPod) {
      ranges.forEach((range) => applyDefaults(range, obj));
    }
    const errors = ranges.flatMap((range) =>
      isPod ? podErrors(range, obj) : claimErrors(range, obj),
    );
    if (errors.length > 0) {
      throw forbidden({ group: '', resource: type.resource }, requestedName, aggregate(errors));
    }
  }
}

import { quantityMilliValue, quantityValue } from '@app/csi';
import type { V1Container, V1Pod } from '@app/kube-client';

/** framework.Resource: what the fit filter compares (cpu in millicores, bytes, counts). */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources, hugepages, attachable volumes… (absent when none). */
  scalar?: Map<string, number>;
}

export const emptyResource = (): Resource => ({
  milliCPU: 0,
  memory: 0,
  ephemeralStorage: 0,
  allowedPodNumber: 0,
});

/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: what a pod without requests counts for in scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type ResourceList = Record<string, string> | undefined;

/** v1helper.IsExtendedResourceName etc. folded into schedutil.IsScalarResourceName. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) {
    return true;
  }
  if (name.startsWith('requests.')) {
    return false;
  }
  // Native resources in the kubernetes.io domain, or extended ones (fully qualified elsewhere).
  return name.includes('/');
}

function addList(into: Resource, list: ResourceList): void {
  for (const [name, q] of Object.entries(list ?? {})) {
    addQuantity(into, name, String(q));
  }
}

function addQuantity(into: Resource, name: string, q: string): void {
  switch (name) {
    case 'cpu':
      into.milliCPU += milliValue(q);
      return;
    case 'memory':
      into.memory += value(q);
      return;
    case 'ephemeral-storage':
      into.ephemeralStorage += value(q);
      return;
    case 'pods':
      into.allowedPodNumber += value(q);
      return;
    default:
      if (isScalarResourceName(name)) {
        into.scalar ??= new Map();
        into.scalar.set(name, (into.scalar.get(name) ?? 0) + value(q));
      }
  }
}

/**
 * Parsed quantities by text, memoised: the same few ("100m", "128Mi", "16266788Ki") repeat on every
 * pod and node the informers deliver. An invalid quantity counts 0 (the api-server refuses them).
 */
const memo = new Map<string, number>();
const MAX_MEMOISED = 10_000;

function parsed(key: string, parse: () => bigint): number {
  let n = memo.get(key);
  if (n === undefined) {
    try {
      n = Number(parse());
    } catch {
      n = 0;
    }
    if (memo.size >= MAX_MEMOISED) {
      memo.clear();
    }
    memo.set(key, n);
  }
  return n;
}

/** `Quantity.Value()` as a number (bytes, counts). */
export const value = (q: string): number => parsed(q, () => quantityValue(q));
/** `Quantity.MilliValue()` as a number (millicores). */
export const milliValue = (q: string): number => parsed(`m:${q}`, () => quantityMilliValue(q));

/** Resource.Add of a ResourceList (node allocatable). */
export function resourceFromList(list: ResourceList): Resource {
  const r = emptyResource();
  addList(r, list);
  return r;
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  if (r.scalar) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) {
      into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
    }
  }
}

export function subtractResource(from: Resource, r: Resource): void {
  from.milliCPU -= r.milliCPU;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.allowedPodNumber -= r.allowedPodNumber;
  if (r.scalar && from.scalar) {
    for (const [k, v] of r.scalar) {
      from.scalar.set(k, (from.scalar.get(k) ?? 0) - v);
    }
  }
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) {
      into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
    }
  }
}

const cloneResource = (r: Resource): Resource => ({
  ...r,
  scalar: r.scalar ? new Map(r.scalar) : undefined,
});

/** A container's requests, with cpu/memory defaulted when `nonZero` (scoring). */
function containerRequests(c: V1Container, nonZero: boolean): Resource {
  const requests = c.resources?.requests;
  const r = resourceFromList(requests);
  if (nonZero) {
    if (requests?.cpu === undefined) {
      r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    }
    if (requests?.memory === undefined) {
      r.memory = DEFAULT_MEMORY_REQUEST;
    }
  }
  return r;
}

/**
 * resourcehelper.PodRequests: containers summed, sidecars (restartable init containers) added,
 * each regular init container's need (itself plus the sidecars started before it) as a floor,
 * plus `spec.overhead`. With `nonZero`, containers without a cpu/memory request count the
 * scheduler's defaults (100m, 200Mi), as scoring does.
 */
export function podRequests(pod: V1Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  for (const c of spec?.containers ?? []) {
    addResource(reqs, containerRequests(c, nonZero));
  }
  const sidecars = emptyResource();
  const initFloor = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResource(reqs, r);
      addResource(sidecars, r);
      maxInto(initFloor, cloneResource(sidecars));
    } else {
      const need = cloneResource(r);
      addResource(need, sidecars);
      maxInto(initFloor, need);
    }
  }
  maxInto(reqs, initFloor);
  addList(reqs, spec?.overhead);
  return reqs;
}

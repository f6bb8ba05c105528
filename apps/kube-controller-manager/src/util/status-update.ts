import { isConflict, isNotFound, type KubeRest } from '@app/kube-client';
import type { KubeObject } from '@app/controller-runtime';

/**
 * PUT `<objectPath>/status` with `status` on the cached object (upstream UpdateStatus). On a
 * conflict (the cache was stale) it re-reads the object once and writes the same status onto
 * the fresh copy, as upstream's status updaters do; anything else is thrown to requeue.
 */
export async function writeStatus<T extends KubeObject & { status?: unknown }>(
  rest: KubeRest,
  objectPath: string,
  cached: T,
  status: T['status'],
): Promise<T> {
  try {
    return await rest.replace<T>(`${objectPath}/status`, { ...cached, status });
  } catch (err) {
    if (!isConflict(err)) {
      throw err;
    }
    const fresh = await rest.get<T>(objectPath);
    return rest.replace<T>(`${objectPath}/status`, { ...fresh, status });
  }
}

/** writeStatus, where an object deleted meanwhile needs no status any more (404 ignored). */
export async function writeStatusUnlessGone<T extends KubeObject & { status?: unknown }>(
  rest: KubeRest,
  objectPath: string,
  cached: T,
  status: T['status'],
): Promise<void> {
  try {
    await writeStatus(rest, objectPath, cached, status);
  } catch (err) {
    if (!isNotFound(err)) {
      throw err;
    }
  }
}

/** Structural equality of two JSON values (status comparisons before a write). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(sortKeys);
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

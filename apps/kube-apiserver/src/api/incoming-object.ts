import { badRequest } from '../errors/kube-error';
import { apiVersionOf, type ResourceType } from '../registry/resource-type';
import { cloneJson, isPlainObject, type KubeObject } from '../object/types';

/**
 * A request body as an object of `type` in `namespace`: kind, apiVersion and namespace must agree
 * with the URL (400 otherwise) and are filled in when absent. A copy unless `owned` (a body decoded
 * for this request alone): in-process callers may hand in (parts of) stored objects, which must
 * never be mutated.
 */
export function incomingObject(
  type: ResourceType,
  namespace: string,
  body: unknown,
  owned = false,
): KubeObject {
  if (!isPlainObject(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  const obj = (owned ? body : cloneJson(body)) as KubeObject;
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw badRequest(
      `the kind of the object (${String(obj.kind)}) does not match the resource ${type.resource} (${type.kind})`,
    );
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(type)) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
    );
  }
  if (obj.metadata === undefined || obj.metadata === null) {
    obj.metadata = {};
  }
  if (!isPlainObject(obj.metadata)) {
    throw badRequest('metadata must be an object');
  }
  if (type.scope === 'Namespaced') {
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = namespace;
  } else {
    delete obj.metadata.namespace;
  }
  obj.apiVersion = apiVersionOf(type);
  obj.kind = type.kind;
  return obj;
}

/**
 * A client-side-applied object's last-applied-configuration: the previous intent when it first
 * moves to server-side apply (upstream transfers those fields to the new manager).
 */
export function lastAppliedIntent(obj: KubeObject): Record<string, unknown> | undefined {
  const text = obj.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!text) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Everything but metadata and status: what `generation` tracks. */
export function specOf(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/**
 * A write to `/status` as the core status strategies do it: everything but metadata and status
 * (the spec) stays as stored; labels, annotations and finalizers may change (the service
 * controller adds its finalizer through services/status); other metadata stays as stored.
 */
export function statusUpdate(old: KubeObject, next: KubeObject): KubeObject {
  // The old status is replaced whole, so it is not copied (a pod's is most of the object).
  const { status: _replaced, ...kept } = old;
  const stored = cloneJson(kept);
  const { labels, annotations, finalizers } = next.metadata;
  const metadata = { ...stored.metadata };
  for (const [key, value] of Object.entries({ labels, annotations, finalizers })) {
    if (value === undefined) {
      delete metadata[key];
    } else {
      metadata[key] = value;
    }
  }
  // Keys in the stored order (the stored JSON text keeps it).
  const result = {} as KubeObject;
  for (const key of Object.keys(old)) {
    result[key] = key === 'status' ? next.status : key === 'metadata' ? metadata : stored[key];
  }
  return { ...result, metadata, status: next.status };
}

import { badRequest, conflict, invalid } from '../errors/kube-error';
import { getPath, text } from '../registry/object-path';
import { fieldInvalid, fieldRequired } from '../registry/field-errors';
import { goInt } from '../registry/go-format';
import type { ResourceType } from '../registry/resource-type';
import { applyJsonPatch } from '../patch/json-patch';
import { applyMergePatch } from '../patch/merge-patch';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch';
import type { PatchType, ResourceService, WriteOptions } from './resource-service';
import { cloneJson, isPlainObject, type KubeObject } from '../object/types';

const scaleKind = { group: 'autoscaling', resource: 'scale' };

/**
 * The `scale` subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets and
 * ReplicationControllers, as their `ScaleREST`s serve it: GET reads `spec.replicas`,
 * `status.replicas` and the selector; PUT/PATCH write `spec.replicas` through a normal update
 * of the owning object (so generation, watch events and optimistic concurrency follow).
 */
export class ScaleSubresource {
  constructor(private readonly service: ResourceService) {}

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    return scaleOf(type, this.service.get(type, namespace, name).object);
  }

  update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    if (!isPlainObject(body)) {
      throw badRequest('the request body must be a JSON object');
    }
    if (body.kind !== undefined && body.kind !== 'Scale') {
      throw badRequest(`the kind of the object (${text(body.kind)}) does not match Scale`);
    }
    const meta = isPlainObject(body.metadata) ? body.metadata : {};
    const spec = isPlainObject(body.spec) ? body.spec : {};
    const replicas = spec.replicas ?? 0;
    const errors = [];
    if (!meta.name) {
      errors.push(fieldRequired('metadata.name', 'name or generateName is required'));
    }
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      errors.push(
        fieldInvalid('spec.replicas', goInt(replicas), 'must be greater than or equal to 0'),
      );
    }
    if (errors.length > 0) {
      throw invalid('Scale', scaleKind, name, errors);
    }
    const current = this.service.get(type, namespace, name).object;
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw conflict(
        { group: type.group, resource: `${type.resource}/scale` },
        name,
        `Precondition failed: UID in precondition: ${text(meta.uid)}, UID in object meta: ${text(current.metadata.uid)}`,
      );
    }
    const next = cloneJson(current);
    setPath(next, type.scale?.specReplicasPath ?? 'spec.replicas', replicas);
    // The Scale's resourceVersion, if any, is the precondition on the owning object.
    if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') {
      next.metadata.resourceVersion = meta.resourceVersion;
    } else {
      delete next.metadata.resourceVersion;
    }
    // Recorded in managedFields as an Update of the scale subresource (upstream's ScaleHandler).
    const result = this.service.update(type, namespace, name, next, 'scale', options);
    return scaleOf(type, result.object);
  }

  patch(
    type: ResourceType,
    namespace: string,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: WriteOptions,
  ): KubeObject {
    const scale = this.get(type, namespace, name);
    let patched: unknown;
    switch (patchType) {
      case 'json':
        patched = applyJsonPatch(scale, patch);
        break;
      case 'strategic':
        patched = applyStrategicMergePatch(scale, patch, {});
        break;
      case 'merge':
      case 'apply':
        patched = applyMergePatch(scale, patch);
        break;
    }
    return this.update(type, namespace, name, patched, options);
  }
}

/** Writes `value` at a dotted path, creating the maps on the way (specReplicasPath). */
function setPath(obj: KubeObject, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) {
      node[part] = {};
    }
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** The autoscaling/v1 Scale of an object (scaleFromDeployment and friends). */
export function scaleOf(type: ResourceType, obj: KubeObject): KubeObject {
  const selector = type.scale?.selector(obj) ?? '';
  const replicas = Number(getPath(obj, type.scale?.specReplicasPath ?? 'spec.replicas') ?? 0);
  const statusReplicas = getPath(obj, type.scale?.statusReplicasPath ?? 'status.replicas');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: replicas ? { replicas } : {},
    status: { replicas: Number(statusReplicas ?? 0), ...(selector ? { selector } : {}) },
  };
}

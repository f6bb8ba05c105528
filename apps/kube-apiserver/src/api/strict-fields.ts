import { badRequest } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import { isPlainObject } from './types';

/** metav1.ObjectMeta's JSON fields. */
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const TYPE_META = ['apiVersion', 'kind', 'metadata'];
const SPEC_STATUS = [...TYPE_META, 'spec', 'status'];

/**
 * Top-level fields of the kinds whose shape is certain; kinds not listed get only their metadata
 * checked (a kind missing here must never make kubectl's Strict creates fail).
 */
const TOP_LEVEL: Record<string, readonly string[]> = {
  Node: SPEC_STATUS,
  Pod: SPEC_STATUS,
  Service: SPEC_STATUS,
  Namespace: SPEC_STATUS,
  PersistentVolume: SPEC_STATUS,
  PersistentVolumeClaim: SPEC_STATUS,
  ResourceQuota: SPEC_STATUS,
  LimitRange: SPEC_STATUS,
  Lease: SPEC_STATUS,
  VolumeAttachment: SPEC_STATUS,
  ConfigMap: [...TYPE_META, 'data', 'binaryData', 'immutable'],
  Secret: [...TYPE_META, 'data', 'stringData', 'type', 'immutable'],
};

/**
 * `fieldValidation=Strict` on a create or update (what kubectl sends for create -f, replace,
 * apply): unknown top-level and metadata fields are a 400, worded as upstream's strict decoder.
 */
export function checkStrictFields(type: ResourceType, body: unknown, query: URLSearchParams): void {
  if (query.get('fieldValidation') !== 'Strict' || !isPlainObject(body)) {
    return;
  }
  const unknown: string[] = [];
  const top = TOP_LEVEL[type.kind];
  if (top) {
    unknown.push(...Object.keys(body).filter((key) => !top.includes(key)));
  }
  if (isPlainObject(body.metadata)) {
    unknown.push(
      ...Object.keys(body.metadata)
        .filter((key) => !OBJECT_META.has(key))
        .map((key) => `metadata.${key}`),
    );
  }
  if (unknown.length > 0) {
    throw badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown
        .map((field) => `unknown field "${field}"`)
        .join(', ')}`,
    );
  }
}

import { quantityValue } from '@app/csi';
import { deepEqual } from '../../object/deep-equal';
import type { KubeObject } from '../../object/types';
import { isPlainObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { getPath, getString } from '../object-path';

function specWithoutMutable(o: unknown): unknown {
  const spec = isPlainObject(getPath(o, 'spec'))
    ? { ...(getPath(o, 'spec') as Record<string, unknown>) }
    : {};
  delete spec.resources;
  delete spec.volumeName;
  delete spec.volumeAttributesClassName;
  return spec;
}

const bytes = (text: string | undefined): bigint | undefined => {
  try {
    return text === undefined ? undefined : quantityValue(text);
  } catch {
    return undefined;
  }
};

/**
 * ValidatePersistentVolumeClaimUpdate, the parts the built-in api-server checks: the spec is
 * immutable but for requests, volumeName and volumeAttributesClassName (compared structurally),
 * and a request may shrink (RecoverVolumeExpansionFailure, on in 1.32) only while it stays above
 * `status.capacity`.
 */
export function validatePvcUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  if (!deepEqual(specWithoutMutable(obj), specWithoutMutable(old))) {
    errors.push({
      field: 'spec',
      message:
        'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      reason: 'FieldValueForbidden',
    });
  }
  const newSize = bytes(getString(obj, 'spec.resources.requests.storage'));
  const oldSize = bytes(getString(old, 'spec.resources.requests.storage'));
  const statusSize = bytes(getString(old, 'status.capacity.storage'));
  if (
    newSize !== undefined &&
    oldSize !== undefined &&
    statusSize !== undefined &&
    newSize < oldSize &&
    newSize <= statusSize
  ) {
    errors.push({
      field: 'spec.resources.requests.storage',
      message: 'Forbidden: field can not be less than status.capacity',
      reason: 'FieldValueForbidden',
    });
  }
  return errors;
}

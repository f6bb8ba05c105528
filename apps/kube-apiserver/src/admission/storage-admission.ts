import {
  ANN_BETA_STORAGE_CLASS,
  FINALIZER_PV_PROTECTION,
  FINALIZER_PVC_PROTECTION,
  claimClass,
  isDefaultStorageClass,
  quantityValue,
} from '@app/csi';
import { isPlainObject, type KubeObject } from '../object/types';
import type { CreateAdmission, UpdateAdmission } from '../api/resource-service';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';
import { newestDefault } from './newest-default';

const claimsResource = { group: '', resource: 'persistentvolumeclaims' };
const isClaimType = (type: ResourceType) =>
  type.group === '' && type.kind === 'PersistentVolumeClaim';

function storageRequest(pvc: KubeObject): bigint {
  const spec = isPlainObject(pvc.spec) ? pvc.spec : {};
  const resources = isPlainObject(spec.resources) ? spec.resources : {};
  const requests = isPlainObject(resources.requests) ? resources.requests : {};
  try {
    return typeof requests.storage === 'string' ? quantityValue(requests.storage) : 0n;
  } catch {
    return 0n; // validation reports a malformed quantity
  }
}

/**
 * The DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault)
 * on claim creates: a claim that names no class at all (neither `spec.storageClassName`, even "",
 * nor the beta annotation) gets the default StorageClass — the newest one when several are
 * marked default (storageutil.GetDefaultClass, 1.26+), none when no class is.
 */
export class DefaultStorageClassAdmission implements CreateAdmission {
  constructor(private readonly storageClasses: TypedStore) {}

  admit(type: ResourceType, pvc: KubeObject): void {
    if (!isClaimType(type)) {
      return;
    }
    const spec = isPlainObject(pvc.spec) ? pvc.spec : (pvc.spec = {});
    if (
      spec.storageClassName !== undefined ||
      pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined
    ) {
      return; // the user asked for a class (or for none)
    }
    const fallback = newestDefault(
      this.storageClasses
        .list()
        .map((s) => s.object)
        .filter(isDefaultStorageClass),
    );
    if (fallback) {
      spec.storageClassName = fallback.metadata.name;
    }
  }
}

/**
 * The PersistentVolumeClaimResize admission plugin (plugin/pkg/admission/storage/persistentvolume/
 * resize) on claim updates (not its subresources): a larger storage request is only accepted for a
 * Bound claim whose StorageClass (unchanged, and still present) has `allowVolumeExpansion: true`.
 */
export class PersistentVolumeClaimResizeAdmission implements UpdateAdmission {
  constructor(private readonly storageClasses: TypedStore) {}

  admitUpdate(type: ResourceType, pvc: KubeObject, old: KubeObject): void {
    if (!isClaimType(type) || storageRequest(pvc) <= storageRequest(old)) {
      return;
    }
    const name = String(pvc.metadata.name ?? '');
    const phase = isPlainObject(old.status) ? old.status.phase : undefined;
    if (phase !== 'Bound') {
      throw forbidden(claimsResource, name, 'Only bound persistent volume claims can be expanded');
    }
    if (!this.allowResize(pvc, old)) {
      throw forbidden(
        claimsResource,
        name,
        'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
      );
    }
  }

  private allowResize(pvc: KubeObject, old: KubeObject): boolean {
    const className = claimClass(pvc);
    if (className === '' || className !== claimClass(old)) {
      return false;
    }
    const sc = this.storageClasses.get('', className)?.object;
    return sc?.allowVolumeExpansion === true;
  }
}

/**
 * The StorageObjectInUseProtection admission plugin (plugin/pkg/admission/storage/
 * storageobjectinuseprotection): every new claim gets the `kubernetes.io/pvc-protection`
 * finalizer and every new volume `kubernetes.io/pv-protection`, so neither disappears while in
 * use — kube-controller-manager's pvc-protection / pv-protection controllers remove them.
 */
export class StorageObjectInUseProtectionAdmission implements CreateAdmission {
  admit(type: ResourceType, obj: KubeObject): void {
    const finalizer =
      type.group === '' && type.kind === 'PersistentVolumeClaim'
        ? FINALIZER_PVC_PROTECTION
        : type.group === '' && type.kind === 'PersistentVolume'
          ? FINALIZER_PV_PROTECTION
          : undefined;
    if (!finalizer) {
      return;
    }
    const finalizers = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
    if (!finalizers.includes(finalizer)) {
      obj.metadata.finalizers = [...finalizers, finalizer];
    }
  }
}

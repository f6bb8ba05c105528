import type { CreateAdmission } from '../api/resource-service';
import type { KubeObject } from '../object/types';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { ObjectStore } from '../storage/object-store';
import { CRD_GROUP } from './crd-types';

const CRD_KEY = `${CRD_GROUP}/customresourcedefinitions`;

/**
 * forbidCreateAdmission of the custom resource handler: no new custom resources (nor creates
 * through apply) while their CRD is being deleted.
 */
export class TerminatingCrdAdmission implements CreateAdmission {
  constructor(private readonly store: ObjectStore) {}

  admit(type: ResourceType, obj: KubeObject): void {
    if (!type.customResource) {
      return;
    }
    const crd = this.store.get(CRD_KEY, '', `${type.resource}.${type.group}`);
    if (crd?.object.metadata.deletionTimestamp) {
      throw forbidden(
        type,
        obj.metadata.name ?? '',
        'create not allowed while custom resource definition is terminating',
      );
    }
  }
}

import { isPlainObject, type KubeObject } from '../object/types';
import type { CreateAdmission } from '../api/resource-service';
import { ANN_DEFAULT_INGRESS_CLASS } from '../registry/kinds/ingress-class.kind';
import { ANN_INGRESS_CLASS } from '../registry/kinds/ingress.kind';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';
import { newestDefault } from './newest-default';

/**
 * The DefaultIngressClass admission plugin (plugin/pkg/admission/network/defaultingressclass) on
 * Ingress creates: one that names no class (neither `spec.ingressClassName` nor the legacy
 * annotation) gets the IngressClass annotated `ingressclass.kubernetes.io/is-default-class:
 * "true"` — the newest when several are — and none when no class is.
 */
export class DefaultIngressClassAdmission implements CreateAdmission {
  constructor(private readonly ingressClasses: TypedStore) {}

  admit(type: ResourceType, ingress: KubeObject): void {
    if (type.group !== 'networking.k8s.io' || type.kind !== 'Ingress') {
      return;
    }
    const spec = isPlainObject(ingress.spec) ? ingress.spec : (ingress.spec = {});
    if (
      (spec.ingressClassName !== undefined && spec.ingressClassName !== null) ||
      ingress.metadata.annotations?.[ANN_INGRESS_CLASS] !== undefined
    ) {
      return;
    }
    const fallback = newestDefault(
      this.ingressClasses
        .list()
        .map((s) => s.object)
        .filter((c) => c.metadata.annotations?.[ANN_DEFAULT_INGRESS_CLASS] === 'true'),
    );
    if (fallback) {
      spec.ingressClassName = fallback.metadata.name;
    }
  }
}

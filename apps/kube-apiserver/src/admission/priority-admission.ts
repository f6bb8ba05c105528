import { isPlainObject, type KubeObject } from '../object/types';
import type {
  CreateAdmission,
  CreateValidation,
  DeleteOptions,
  UpdateAdmission,
} from '../api/resource-service';
import { forbidden } from '../errors/kube-error';
import { SYSTEM_PRIORITY_CLASSES } from '../registry/kinds/priority-class.kind';
import type { ResourceType } from '../registry/resource-type';
import { text } from '../registry/object-path';
import type { TypedStore } from '../storage/typed-store';

const podsResource = { group: '', resource: 'pods' };
const priorityClassesResource = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };
const isPodType = (type: ResourceType) => type.group === '' && type.kind === 'Pod';
const isPriorityClassType = (type: ResourceType) =>
  type.group === priorityClassesResource.group && type.kind === 'PriorityClass';

/** scheduling.DefaultPriorityWhenNoDefaultClassExists. */
const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;

/**
 * The Priority admission plugin (plugin/pkg/admission/priority): a new pod's
 * `priorityClassName` — or the global default class when it names none — becomes its
 * `spec.priority` and `spec.preemptionPolicy`; an unknown class is refused. A second global default
 * class is refused. (Keeping the priority on pod updates is the pod kind's prepareForUpdate here.)
 * Also the priority class storage's refusal to delete the system classes.
 */
export class PriorityAdmission implements CreateAdmission, CreateValidation, UpdateAdmission {
  constructor(private readonly priorityClasses: TypedStore) {}

  admit(type: ResourceType, obj: KubeObject, requestedName: string): void {
    if (isPodType(type)) {
      this.admitPod(obj, requestedName);
    }
  }

  /** The plugin's Validate runs after validation: an invalid class is a 422 before any 403. */
  validateCreate(type: ResourceType, obj: KubeObject, requestedName: string): void {
    if (isPriorityClassType(type)) {
      this.validatePriorityClass(obj, requestedName, false);
    }
  }

  admitUpdate(type: ResourceType, obj: KubeObject): void {
    if (isPriorityClassType(type)) {
      this.validatePriorityClass(obj, obj.metadata.name ?? '', true);
    }
  }

  private admitPod(pod: KubeObject, requestedName: string): void {
    const spec = isPlainObject(pod.spec) ? pod.spec : (pod.spec = {});
    const deny = (why: string) => forbidden(podsResource, requestedName, why);
    let priority: number;
    let preemptionPolicy: unknown;
    const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    if (className === '') {
      const fallback = this.defaultClass();
      if (fallback) {
        spec.priorityClassName = fallback.metadata.name;
      }
      priority = fallback
        ? Number(fallback.value ?? 0)
        : DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
      preemptionPolicy = fallback ? fallback.preemptionPolicy : 'PreemptLowerPriority';
    } else {
      const pc = this.priorityClasses.get('', className)?.object;
      if (!pc) {
        throw deny(`no PriorityClass with name ${className} was found`);
      }
      priority = Number(pc.value ?? 0);
      preemptionPolicy = pc.preemptionPolicy;
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
      throw deny(
        `the integer value of priority (${text(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    if (typeof preemptionPolicy === 'string') {
      const given = spec.preemptionPolicy;
      if (given !== undefined && given !== null && given !== preemptionPolicy) {
        throw deny(
          `the string value of PreemptionPolicy (${text(given)}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = preemptionPolicy;
    }
  }

  /** The plugin's only PriorityClass rule (the reserved names and the ceiling are validation's). */
  private validatePriorityClass(pc: KubeObject, name: string, update: boolean): void {
    if (pc.globalDefault !== true) {
      return;
    }
    const existing = this.defaultClass();
    if (existing && (!update || existing.metadata.name !== pc.metadata.name)) {
      throw forbidden(
        priorityClassesResource,
        name,
        `PriorityClass ${String(existing.metadata.name)} is already marked as default. Only one default can exist`,
      );
    }
  }

  /**
   * The priority class REST storage's Delete: the system classes stay. Upstream overrides only the
   * single-object Delete, so a collection delete removes them too (the next start recreates them).
   */
  admitDelete(type: ResourceType, old: KubeObject, options: DeleteOptions): void {
    const name = old.metadata.name ?? '';
    if (
      isPriorityClassType(type) &&
      !options.collection &&
      SYSTEM_PRIORITY_CLASSES.some((c) => c.name === name)
    ) {
      throw forbidden(
        priorityClassesResource,
        name,
        'this is a system priority class and cannot be deleted',
      );
    }
  }

  /** getDefaultPriorityClass: with several (a race), the one with the lowest value. */
  private defaultClass(): KubeObject | undefined {
    let found: KubeObject | undefined;
    for (const { object } of this.priorityClasses.list()) {
      if (object.globalDefault === true && (!found || Number(found.value) > Number(object.value))) {
        found = object;
      }
    }
    return found;
  }
}

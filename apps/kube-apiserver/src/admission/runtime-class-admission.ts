import { isDeepStrictEqual } from 'node:util';
import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import type { CreateAdmission } from '../api/resource-service';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import { text } from '../registry/object-path';
import type { TypedStore } from '../storage/typed-store';

type Toleration = JsonObject;

/** tolerations.isSuperset: whether `ss` tolerates everything `t` does. */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (isDeepStrictEqual(ss, t)) {
    return true;
  }
  const key = (x: Toleration) => (typeof x.key === 'string' ? x.key : '');
  if (key(t) !== key(ss) && (key(ss) !== '' || ss.operator !== 'Exists')) {
    return false;
  }
  const effect = (x: Toleration) => (typeof x.effect === 'string' ? x.effect : '');
  if (effect(t) !== effect(ss) && effect(ss) !== '') {
    return false;
  }
  if (effect(ss) === 'NoExecute' && typeof ss.tolerationSeconds === 'number') {
    if (typeof t.tolerationSeconds !== 'number' || t.tolerationSeconds > ss.tolerationSeconds) {
      return false;
    }
  }
  switch (ss.operator ?? '') {
    case 'Equal':
    case '':
      return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** tolerations.MergeTolerations: both lists, keeping only the broadest of overlapping tolerations. */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((kept) => isSuperset(kept, t))) {
      return;
    }
    if (all.slice(i + 1).some((later) => !isDeepStrictEqual(t, later) && isSuperset(later, t))) {
      return;
    }
    merged.push(t);
  });
  return merged;
}

/**
 * The RuntimeClass admission plugin (plugin/pkg/admission/runtimeclass) on pod creates: a pod
 * naming a `runtimeClassName` that does not exist is refused; otherwise the class's
 * `overhead.podFixed` becomes the pod's `spec.overhead` and its `scheduling` node selector and
 * tolerations are merged into the pod's, as the kubelet would need to run it with that handler. A
 * pod may only carry an overhead its class defines.
 */
export class RuntimeClassAdmission implements CreateAdmission {
  constructor(private readonly runtimeClasses: TypedStore) {}

  admit(type: ResourceType, pod: KubeObject, requestedName: string): void {
    if (type.group !== '' || type.kind !== 'Pod') {
      return;
    }
    const spec = isPlainObject(pod.spec) ? pod.spec : (pod.spec = {});
    const deny = (why: string) => forbidden({ group: '', resource: 'pods' }, requestedName, why);
    let runtimeClass: KubeObject | undefined;
    if (typeof spec.runtimeClassName === 'string') {
      runtimeClass = this.runtimeClasses.get('', spec.runtimeClassName)?.object;
      if (!runtimeClass) {
        throw deny(`pod rejected: RuntimeClass "${spec.runtimeClassName}" not found`);
      }
    }
    const podFixed = isPlainObject(runtimeClass?.overhead)
      ? runtimeClass.overhead.podFixed
      : undefined;
    const hasOverhead = (v: unknown) => isPlainObject(v) && Object.keys(v).length > 0;
    if (isPlainObject(podFixed)) {
      if (hasOverhead(spec.overhead) && !isDeepStrictEqual(spec.overhead, podFixed)) {
        throw deny("pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      }
      spec.overhead = { ...podFixed };
    } else if (hasOverhead(spec.overhead)) {
      throw deny(
        'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead',
      );
    }
    const scheduling = isPlainObject(runtimeClass?.scheduling)
      ? runtimeClass.scheduling
      : undefined;
    if (scheduling) {
      this.setScheduling(spec, scheduling, deny);
    }
  }

  /** setScheduling: the class's node selector (a conflicting pod value is refused) and tolerations. */
  private setScheduling(
    spec: JsonObject,
    scheduling: JsonObject,
    deny: (why: string) => Error,
  ): void {
    const classSelector = isPlainObject(scheduling.nodeSelector) ? scheduling.nodeSelector : {};
    if (!isPlainObject(spec.nodeSelector)) {
      if (Object.keys(classSelector).length > 0) {
        spec.nodeSelector = { ...classSelector };
      }
    } else {
      for (const [key, value] of Object.entries(classSelector)) {
        const podValue = spec.nodeSelector[key];
        if (podValue !== undefined && podValue !== value) {
          throw deny(
            `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${text(value)}; pod.spec.nodeSelector[${key}] = ${text(podValue)}`,
          );
        }
        spec.nodeSelector[key] = value;
      }
    }
    const classTolerations = Array.isArray(scheduling.tolerations)
      ? scheduling.tolerations.filter(isPlainObject)
      : [];
    if (classTolerations.length > 0) {
      const podTolerations = Array.isArray(spec.tolerations)
        ? spec.tolerations.filter(isPlainObject)
        : [];
      spec.tolerations = mergeTolerations(podTolerations, classTolerations);
    }
  }
}

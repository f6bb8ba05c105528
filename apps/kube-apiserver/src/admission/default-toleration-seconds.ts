import { isPlainObject, type KubeObject } from '../object/types';
import type { CreateAdmission } from '../api/resource-service';
import type { ResourceType } from '../registry/resource-type';

export interface DefaultTolerationSecondsOptions {
  /** `--default-not-ready-toleration-seconds` (upstream default 300). */
  notReadySeconds: number;
  /** `--default-unreachable-toleration-seconds` (upstream default 300). */
  unreachableSeconds: number;
}

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * The DefaultTolerationSeconds admission plugin (plugin/pkg/admission/defaulttolerationseconds),
 * run on pod create (updates cannot remove tolerations, so they need it not): a pod that does not already tolerate the not-ready / unreachable NoExecute
 * taints gets `{key, operator: Exists, effect: NoExecute, tolerationSeconds}` for each, so taint
 * eviction waits that long after a node goes away. A toleration with an empty key (tolerates
 * everything) or an empty effect (tolerates every effect) counts as tolerating it already.
 */
export function admitDefaultTolerationSeconds(
  pod: KubeObject,
  options: DefaultTolerationSecondsOptions,
): void {
  const spec = isPlainObject(pod.spec) ? pod.spec : (pod.spec = {});
  const tolerations = Array.isArray(spec.tolerations)
    ? (spec.tolerations as Record<string, unknown>[])
    : [];
  const tolerates = (key: string) =>
    tolerations.some(
      (t) =>
        isPlainObject(t) && (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect),
    );
  const added: Record<string, unknown>[] = [];
  if (!tolerates(TAINT_NODE_NOT_READY)) {
    added.push(toleration(TAINT_NODE_NOT_READY, options.notReadySeconds));
  }
  if (!tolerates(TAINT_NODE_UNREACHABLE)) {
    added.push(toleration(TAINT_NODE_UNREACHABLE, options.unreachableSeconds));
  }
  if (added.length > 0) {
    spec.tolerations = [...tolerations, ...added];
  }
}

function toleration(key: string, seconds: number): Record<string, unknown> {
  return { key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds };
}

/** The plugin in the api-server's admission chain (pods only). */
export class DefaultTolerationSecondsAdmission implements CreateAdmission {
  constructor(private readonly options: DefaultTolerationSecondsOptions) {}

  admit(type: ResourceType, obj: KubeObject): void {
    if (type.group === '' && type.kind === 'Pod') {
      admitDefaultTolerationSeconds(obj, this.options);
    }
  }
}

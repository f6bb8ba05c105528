import { isPlainObject, type KubeObject } from '../object/types';
import { mapSelectorMatches } from '../registry/label-selector-rules';
import type { TypedStore } from '../storage/typed-store';
import { annotatedCpu, annotatedMemory, share, type ExtraLoad } from './simulated-usage';

/**
 * Load that arrives at a Service (`kubectl annotate service web sim.nimbus.dev/cpu-load=600m`) is
 * spread evenly over the pods serving it — Running and Ready, selected by its selector — as a
 * load balancer spreads traffic, so adding replicas lowers what each uses and an autoscaler
 * settles where real ones do.
 */
export const CPU_LOAD_ANNOTATION = 'sim.nimbus.dev/cpu-load';
export const MEMORY_LOAD_ANNOTATION = 'sim.nimbus.dev/memory-load';

const isServing = (pod: KubeObject): boolean => {
  const status = isPlainObject(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return (
    status.phase === 'Running' &&
    pod.metadata.deletionTimestamp === undefined &&
    conditions.some((c) => isPlainObject(c) && c.type === 'Ready' && c.status === 'True')
  );
};

/**
 * Each serving pod's share of the load of the Services of `namespace` (every namespace when
 * undefined) that carry a load annotation, keyed `namespace/name`. Nothing is listed when no
 * Service has one.
 */
export function serviceLoads(
  services: TypedStore,
  pods: TypedStore,
  namespace?: string,
): Map<string, ExtraLoad> {
  const loads = new Map<string, ExtraLoad>();
  for (const { object: svc } of services.list(namespace)) {
    const annotations = svc.metadata.annotations ?? {};
    const cpu = annotatedCpu(annotations[CPU_LOAD_ANNOTATION]) ?? 0n;
    const memory = annotatedMemory(annotations[MEMORY_LOAD_ANNOTATION]) ?? 0n;
    const selector = isPlainObject(svc.spec) ? svc.spec.selector : undefined;
    if (
      (cpu === 0n && memory === 0n) ||
      !isPlainObject(selector) ||
      Object.keys(selector).length === 0
    ) {
      continue;
    }
    const serving = pods
      .list(svc.metadata.namespace)
      .map((s) => s.object)
      .filter((p) => isServing(p) && mapSelectorMatches(selector, p.metadata.labels));
    serving.forEach((pod, i) => {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const load = loads.get(key) ?? { cpuNanocores: 0n, memoryBytes: 0n };
      load.cpuNanocores += share(cpu, serving.length, i);
      load.memoryBytes += share(memory, serving.length, i);
      loads.set(key, load);
    });
  }
  return loads;
}

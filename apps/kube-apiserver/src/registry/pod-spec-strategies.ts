import type { ListStrategy } from './resource-type';

/**
 * Strategic-merge list keys of a PodSpec (`patchMergeKey` tags in k8s.io/api core/v1 types.go),
 * mounted at `prefix` (`spec` for Pods, `spec.template.spec` for workloads).
 */
const CONTAINER_LISTS: Record<string, ListStrategy> = {
  ports: { key: 'containerPort' },
  env: { key: 'name' },
  volumeMounts: { key: 'mountPath' },
  volumeDevices: { key: 'devicePath' },
  resizePolicy: { key: 'resourceName' },
};

export function podSpecStrategies(prefix: string): Record<string, ListStrategy> {
  const out: Record<string, ListStrategy> = {
    [`${prefix}.volumes`]: { key: 'name' },
    [`${prefix}.imagePullSecrets`]: { key: 'name' },
    [`${prefix}.hostAliases`]: { key: 'ip' },
    [`${prefix}.topologySpreadConstraints`]: { key: 'topologyKey' },
    [`${prefix}.schedulingGates`]: { key: 'name' },
    [`${prefix}.resourceClaims`]: { key: 'name' },
  };
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    out[`${prefix}.${list}`] = { key: 'name' };
    for (const [k, v] of Object.entries(CONTAINER_LISTS)) {
      out[`${prefix}.${list}.${k}`] = v;
    }
  }
  return out;
}

import type {
  PersistentVolumeClaimObject,
  PodObject,
  PodTemplateSpec,
  StatefulSetObject,
} from '@app/kube-client';

/** upstream apps.StatefulSetPodNameLabel / PodIndexLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const podNameOf = (set: StatefulSetObject, ordinal: number) =>
  `${set.metadata?.name}-${ordinal}`;

/** The ordinal of a pod named `<set>-<n>`, or -1 (upstream getParentNameAndOrdinal). */
export function ordinalOf(set: StatefulSetObject, pod: PodObject): number {
  const prefix = `${set.metadata?.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) {
    return -1;
  }
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** upstream getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export const claimNameOf = (set: StatefulSetObject, template: string, ordinal: number) =>
  `${template}-${set.metadata?.name}-${ordinal}`;

/** upstream getPersistentVolumeClaims: one claim per template, labelled with the selector's labels. */
export function claimsOf(set: StatefulSetObject, ordinal: number): PersistentVolumeClaimObject[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimNameOf(set, t.metadata?.name ?? '', ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    },
    spec: structuredClone(t.spec ?? {}),
  }));
}

/**
 * upstream newVersionedStatefulSetPod: the template with the identity of ordinal `ordinal`
 * (name, hostname, subdomain = serviceName, pod-name / pod-index labels), the claims of the
 * volumeClaimTemplates as volumes, and the revision label.
 */
export function statefulPodSpec(
  set: StatefulSetObject,
  template: PodTemplateSpec,
  ordinal: number,
  revisionName: string,
): { name: string; labels: Record<string, string>; spec: object } {
  const name = podNameOf(set, ordinal);
  const volumes = [...(template.spec?.volumes ?? [])];
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const volumeName = t.metadata?.name ?? '';
    const claimVolume = {
      name: volumeName,
      persistentVolumeClaim: { claimName: claimNameOf(set, volumeName, ordinal) },
    };
    const i = volumes.findIndex((v) => v.name === volumeName);
    if (i >= 0) {
      volumes[i] = claimVolume;
    } else {
      volumes.push(claimVolume);
    }
  }
  return {
    name,
    labels: {
      'controller-revision-hash': revisionName,
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
    },
    spec: {
      hostname: name,
      ...(set.spec?.serviceName ? { subdomain: set.spec.serviceName } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}

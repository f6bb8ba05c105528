import { isPlainObject, type KubeObject } from '../object/types';

/** The objects a bound pod makes its node able to read (the Node authorizer's graph edges). */
export interface PodReferences {
  secrets: string[];
  configmaps: string[];
  pvcs: string[];
  serviceaccounts: string[];
  resourceclaims: string[];
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (isPlainObject(v) ? v : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Volume sources whose `secretRef` names a Secret of the pod's namespace (VisitPodSecretNames). */
const SECRET_REF_SOURCES = [
  'cephfs',
  'cinder',
  'flexVolume',
  'rbd',
  'scaleIO',
  'iscsi',
  'storageos',
];

/** Containers, init containers and ephemeral containers (podutil.AllContainers). */
function containersOf(spec: Json): Json[] {
  return [...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)];
}

/**
 * What a pod references (k8s.io/kubernetes pkg/api/v1/pod VisitPodSecretNames,
 * VisitPodConfigmapNames; graph.go AddPod): Secrets and ConfigMaps of its env, envFrom, volumes and
 * imagePullSecrets, its claims (ephemeral volumes as `<pod>-<volume>`), its ServiceAccount and
 * ResourceClaims.
 */
export function podReferences(pod: KubeObject): PodReferences {
  const spec = obj(pod.spec);
  const secrets = new Set<string>();
  const configmaps = new Set<string>();
  const pvcs = new Set<string>();
  const add = (set: Set<string>, name: unknown) => {
    if (typeof name === 'string' && name !== '') {
      set.add(name);
    }
  };
  for (const ref of arr(spec.imagePullSecrets)) {
    add(secrets, ref.name);
  }
  for (const c of containersOf(spec)) {
    for (const from of arr(c.envFrom)) {
      add(secrets, obj(from.secretRef).name);
      add(configmaps, obj(from.configMapRef).name);
    }
    for (const env of arr(c.env)) {
      const valueFrom = obj(env.valueFrom);
      add(secrets, obj(valueFrom.secretKeyRef).name);
      add(configmaps, obj(valueFrom.configMapKeyRef).name);
    }
  }
  for (const v of arr(spec.volumes)) {
    add(secrets, obj(v.secret).secretName);
    add(secrets, obj(v.azureFile).secretName);
    add(secrets, obj(obj(v.csi).nodePublishSecretRef).name);
    for (const source of SECRET_REF_SOURCES) {
      add(secrets, obj(obj(v[source]).secretRef).name);
    }
    add(configmaps, obj(v.configMap).name);
    for (const p of arr(obj(v.projected).sources)) {
      add(secrets, obj(p.secret).name);
      add(configmaps, obj(p.configMap).name);
    }
    add(pvcs, obj(v.persistentVolumeClaim).claimName);
    if (isPlainObject(v.ephemeral)) {
      add(pvcs, `${pod.metadata.name ?? ''}-${str(v.name)}`);
    }
  }
  const claims = new Set<string>();
  for (const s of arr(obj(pod.status).resourceClaimStatuses)) {
    add(claims, s.resourceClaimName);
  }
  for (const c of arr(spec.resourceClaims)) {
    add(claims, c.resourceClaimName);
  }
  const serviceAccount = str(spec.serviceAccountName);
  return {
    secrets: [...secrets],
    configmaps: [...configmaps],
    pvcs: [...pvcs],
    serviceaccounts: serviceAccount ? [serviceAccount] : [],
    resourceclaims: [...claims],
  };
}

/** Secrets a PersistentVolume references, as `<namespace>/<name>` (VisitPVSecretNames). */
export function volumeSecrets(pv: KubeObject): string[] {
  const spec = obj(pv.spec);
  const claimNamespace = str(obj(spec.claimRef).namespace);
  const found = new Set<string>();
  const add = (ref: unknown, defaultNamespace = claimNamespace) => {
    const r = obj(ref);
    const name = str(r.name);
    const namespace = str(r.namespace) || defaultNamespace;
    if (name && namespace) {
      found.add(`${namespace}/${name}`);
    }
  };
  const csi = obj(spec.csi);
  for (const key of [
    'controllerPublishSecretRef',
    'nodeStageSecretRef',
    'nodePublishSecretRef',
    'controllerExpandSecretRef',
    'nodeExpandSecretRef',
  ]) {
    add(csi[key]);
  }
  for (const source of SECRET_REF_SOURCES) {
    add(obj(spec[source]).secretRef);
  }
  const azureFile = obj(spec.azureFile);
  if (azureFile.secretName) {
    add({ name: azureFile.secretName, namespace: azureFile.secretNamespace });
  }
  return [...found];
}

import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import { objectsIn } from '../registry/object-path';
import { randomString } from '../api/names';
import { forbidden } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';

/**
 * The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go) for pod
 * creates: `serviceAccountName` defaults to `default`; the ServiceAccount must exist (the
 * kube-controller-manager's serviceaccount controller creates `default` in every namespace, so
 * that one is waited for a little, as upstream retries its lookup); unless automounting is off
 * (pod first, then ServiceAccount), every container and init container gets the projected
 * `kube-api-access-<5 chars>` volume at /var/run/secrets/kubernetes.io/serviceaccount; and the
 * ServiceAccount's imagePullSecrets are copied to pods that have none.
 */

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const ENFORCE_MOUNTABLE_SECRETS = 'kubernetes.io/enforce-mountable-secrets';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: the kubelet refreshes these tokens. */
const TOKEN_EXPIRATION_SECONDS = 3607;

/** Upstream retries the lookup of `default` 10 times, 100–200 ms apart. */
const DEFAULT_LOOKUP_ATTEMPTS = 10;

const podsResource = { group: '', resource: 'pods' };

/** TokenVolumeSource(): the projected volume every pod mounts its identity from. */
export function tokenVolumeSource(): JsonObject {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [
            { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
          ],
        },
      },
    ],
  };
}

const isPodType = (type: ResourceType) => type.group === '' && type.kind === 'Pod';

export class ServiceAccountAdmission {
  constructor(
    private readonly serviceAccounts: TypedStore,
    private readonly namespaces: TypedStore,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Before a pod create: waits (≤ ~2 s) for a `default` ServiceAccount that does not exist yet,
   * as upstream's live-lookup retries do for a namespace the controller has not reached.
   */
  async awaitServiceAccount(type: ResourceType, namespace: string, body: unknown): Promise<void> {
    if (!isPodType(type) || !isPlainObject(body)) {
      return;
    }
    const spec = isPlainObject(body.spec) ? body.spec : {};
    const name = (spec.serviceAccountName ||
      spec.serviceAccount ||
      DEFAULT_SERVICE_ACCOUNT) as string;
    // NamespaceLifecycle answers first for a missing or terminating namespace.
    const ns = this.namespaces.get('', namespace)?.object;
    if (
      name !== DEFAULT_SERVICE_ACCOUNT ||
      isMirrorPod(body) ||
      !ns ||
      ns.metadata.deletionTimestamp
    ) {
      return;
    }
    for (let attempt = 1; attempt < DEFAULT_LOOKUP_ATTEMPTS; attempt++) {
      if (this.serviceAccounts.get(namespace, name)) {
        return;
      }
      await this.sleep(100 + Math.floor(Math.random() * 100));
    }
  }

  /** Admit + Validate of the plugin, for a pod being created (after defaulting). */
  admit(type: ResourceType, pod: KubeObject, requestedName: string): void {
    if (!isPodType(type)) {
      return;
    }
    const namespace = pod.metadata.namespace ?? '';
    const spec = isPlainObject(pod.spec) ? pod.spec : (pod.spec = {});
    const deny = (why: string) => forbidden(podsResource, requestedName || 'Unknown', why);
    if (isMirrorPod(pod)) {
      validateMirrorPod(spec, deny);
      return;
    }
    if (!spec.serviceAccountName) {
      spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
    }
    const saName = String(spec.serviceAccountName);
    spec.serviceAccount = saName;
    const sa = this.serviceAccounts.get(namespace, saName)?.object;
    if (!sa) {
      throw deny(
        `error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`,
      );
    }
    if (shouldAutomount(sa, spec)) {
      mountServiceAccountToken(spec);
    }
    if (!Array.isArray(spec.imagePullSecrets) || spec.imagePullSecrets.length === 0) {
      const pullSecrets = objectsIn(sa.imagePullSecrets).map((s) => ({ name: s.name }));
      if (pullSecrets.length > 0) {
        spec.imagePullSecrets = pullSecrets;
      }
    }
    if (sa.metadata.annotations?.[ENFORCE_MOUNTABLE_SECRETS] === 'true') {
      const problem = secretReferenceProblem(sa, spec);
      if (problem) {
        throw deny(problem);
      }
    }
  }
}

function isMirrorPod(pod: JsonObject): boolean {
  const meta = isPlainObject(pod.metadata) ? pod.metadata : {};
  return isPlainObject(meta.annotations) && MIRROR_POD_ANNOTATION in meta.annotations;
}

function validateMirrorPod(spec: JsonObject, deny: (why: string) => Error): void {
  if (spec.serviceAccountName) {
    throw deny('a mirror pod may not reference service accounts');
  }
  const volumes = objectsIn(spec.volumes);
  if (volumes.some((v) => isPlainObject(v.secret)) || envSecrets(spec).length > 0) {
    throw deny('a mirror pod may not reference secrets');
  }
  for (const v of volumes) {
    const sources = isPlainObject(v.projected) ? objectsIn(v.projected.sources) : [];
    if (sources.some((s) => isPlainObject(s.serviceAccountToken))) {
      throw deny('a mirror pod may not use ServiceAccountToken volume projections');
    }
  }
}

/** The pod's preference wins, then the ServiceAccount's; true by default. */
function shouldAutomount(sa: KubeObject, spec: JsonObject): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') {
    return spec.automountServiceAccountToken;
  }
  if (typeof sa.automountServiceAccountToken === 'boolean') {
    return sa.automountServiceAccountToken;
  }
  return true;
}

/** mountServiceAccountToken: one projected volume, mounted read-only where not already mounted. */
function mountServiceAccountToken(spec: JsonObject): void {
  const volumes = objectsIn(spec.volumes);
  const existing = volumes.find(
    (v) => typeof v.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX),
  );
  const volumeName = existing
    ? String(existing.name)
    : `${SERVICE_ACCOUNT_VOLUME_PREFIX}${randomString(5)}`;
  let needsVolume = false;
  for (const key of ['initContainers', 'containers']) {
    for (const container of objectsIn(spec[key])) {
      const mounts = objectsIn(container.volumeMounts);
      if (!mounts.some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) {
        container.volumeMounts = [
          ...mounts,
          { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
        ];
        needsVolume = true;
      }
    }
  }
  if (!existing && needsVolume) {
    spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
  }
}

function envSecrets(
  spec: JsonObject,
): { container: string; kind: string; env?: string; secret: string }[] {
  const out: { container: string; kind: string; env?: string; secret: string }[] = [];
  for (const [key, kind] of [
    ['initContainers', 'init container'],
    ['containers', 'container'],
  ]) {
    for (const c of objectsIn(spec[key])) {
      for (const env of objectsIn(c.env)) {
        const ref = isPlainObject(env.valueFrom) ? env.valueFrom.secretKeyRef : undefined;
        if (isPlainObject(ref)) {
          out.push({
            container: String(c.name),
            kind,
            env: String(env.name),
            secret: String(ref.name),
          });
        }
      }
      for (const from of objectsIn(c.envFrom)) {
        if (isPlainObject(from.secretRef)) {
          out.push({ container: String(c.name), kind, secret: String(from.secretRef.name) });
        }
      }
    }
  }
  return out;
}

/** limitSecretReferences for ServiceAccounts annotated `kubernetes.io/enforce-mountable-secrets`. */
function secretReferenceProblem(sa: KubeObject, spec: JsonObject): string | undefined {
  const saName = sa.metadata.name ?? '';
  const mountable = new Set(objectsIn(sa.secrets).map((s) => String(s.name)));
  for (const v of objectsIn(spec.volumes)) {
    const secretName = isPlainObject(v.secret) ? String(v.secret.secretName) : undefined;
    if (secretName !== undefined && !mountable.has(secretName)) {
      return `volume with secret.secretName="${secretName}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  for (const ref of envSecrets(spec)) {
    if (!mountable.has(ref.secret)) {
      return ref.env !== undefined
        ? `${ref.kind} ${ref.container} with envVar ${ref.env} referencing secret.secretName="${ref.secret}" is not allowed because service account ${saName} does not reference that secret`
        : `${ref.kind} ${ref.container} with envFrom referencing secret.secretName="${ref.secret}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  const pullSecrets = new Set(objectsIn(sa.imagePullSecrets).map((s) => String(s.name)));
  const pods = objectsIn(spec.imagePullSecrets);
  for (let i = 0; i < pods.length; i++) {
    if (!pullSecrets.has(String(pods[i].name))) {
      return `imagePullSecrets[${i}].name="${String(pods[i].name)}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}

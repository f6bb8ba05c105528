import { isPlainObject, type JsonObject } from '../object/types';
import { objectsIn } from './object-path';

/**
 * Decode-time defaults of every PodSpec, as `pkg/apis/core/v1/defaults.go` (SetDefaults_PodSpec,
 * _Container, _ContainerPort, _Probe, _HTTPGetAction, _Volume and the volume sources,
 * _ObjectFieldSelector) apply them to Pods and to the templates of workloads alike. Fields Go
 * always serialises (`resources: {}`, a template's `creationTimestamp: null`) are written too, so
 * `-o yaml` looks like a real cluster's.
 */

/** PullAlways for `:latest` or no tag, IfNotPresent otherwise (parsers.ParseImageName). */
export function imagePullPolicyFor(image: unknown): string {
  if (typeof image !== 'string' || image === '') {
    return 'IfNotPresent';
  }
  const [named, digest] = image.split('@', 2);
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > lastSlash ? named.slice(colon + 1) : '';
  if (tag === '' && digest === undefined) {
    return 'Always';
  }
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(action: unknown): void {
  if (isPlainObject(action)) {
    action.path ||= '/';
    action.scheme ||= 'HTTP';
  }
}

function defaultProbe(probe: unknown): void {
  if (!isPlainObject(probe)) {
    return;
  }
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHttpGet(probe.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isPlainObject(ref)) {
    ref.apiVersion ||= 'v1';
  }
}

function defaultContainer(c: JsonObject): void {
  c.imagePullPolicy ||= imagePullPolicyFor(c.image);
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  if (!isPlainObject(c.resources)) {
    c.resources = {};
  }
  for (const port of objectsIn(c.ports)) {
    port.protocol ||= 'TCP';
  }
  for (const env of objectsIn(c.env)) {
    if (isPlainObject(env.valueFrom)) {
      defaultFieldRef(env.valueFrom.fieldRef);
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isPlainObject(c.lifecycle)) {
    for (const hook of [c.lifecycle.postStart, c.lifecycle.preStop]) {
      if (isPlainObject(hook)) {
        defaultHttpGet(hook.httpGet);
      }
    }
  }
}

function defaultDownwardItems(items: unknown): void {
  for (const item of objectsIn(items)) {
    defaultFieldRef(item.fieldRef);
  }
}

function defaultVolume(v: JsonObject): void {
  if (Object.keys(v).every((k) => k === 'name')) {
    v.emptyDir = {};
  }
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const source = v[key];
    if (isPlainObject(source) && source.defaultMode === undefined) {
      source.defaultMode = 420;
    }
  }
  if (isPlainObject(v.hostPath)) {
    v.hostPath.type ??= '';
  }
  if (isPlainObject(v.downwardAPI)) {
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (isPlainObject(v.projected)) {
    for (const source of objectsIn(v.projected.sources)) {
      if (isPlainObject(source.serviceAccountToken)) {
        source.serviceAccountToken.expirationSeconds ??= 3600;
      }
      if (isPlainObject(source.downwardAPI)) {
        defaultDownwardItems(source.downwardAPI.items);
      }
    }
  }
}

/** SetDefaults_PodSpec and everything nested in a PodSpec. */
export function defaultPodSpec(spec: JsonObject): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!isPlainObject(spec.securityContext)) {
    spec.securityContext = {};
  }
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // v1 conversion: serviceAccount is the deprecated alias of serviceAccountName.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount) {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) {
    spec.serviceAccount = spec.serviceAccountName;
  }
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    objectsIn(spec[key]).forEach(defaultContainer);
  }
  objectsIn(spec.volumes).forEach(defaultVolume);
}

/** A PodTemplateSpec's defaults: its PodSpec's, plus the `creationTimestamp: null` Go prints. */
export function defaultPodTemplate(template: unknown): void {
  if (!isPlainObject(template)) {
    return;
  }
  const meta = isPlainObject(template.metadata) ? template.metadata : (template.metadata = {});
  if (!('creationTimestamp' in meta)) {
    meta.creationTimestamp = null;
  }
  defaultPodSpec(isPlainObject(template.spec) ? template.spec : (template.spec = {}));
}

/** SetDefaults_Pod: what only Pods (not templates) get. */
export function defaultPodOnly(spec: JsonObject): void {
  for (const key of ['containers', 'initContainers']) {
    for (const c of objectsIn(spec[key])) {
      const resources = isPlainObject(c.resources) ? c.resources : (c.resources = {});
      if (isPlainObject(resources.limits)) {
        const requests = isPlainObject(resources.requests) ? resources.requests : {};
        resources.requests = { ...resources.limits, ...requests };
      }
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const key of ['containers', 'initContainers']) {
      for (const c of objectsIn(spec[key])) {
        for (const port of objectsIn(c.ports)) {
          port.hostPort ||= port.containerPort;
        }
      }
    }
  }
}

/** A PersistentVolumeClaim template (StatefulSet volumeClaimTemplates) as SetDefaults_PVC leaves it. */
export function defaultClaimTemplate(claim: JsonObject): void {
  // The apps/v1 conversion writes the embedded claims' TypeMeta.
  claim.apiVersion ||= 'v1';
  claim.kind ||= 'PersistentVolumeClaim';
  const meta = isPlainObject(claim.metadata) ? claim.metadata : (claim.metadata = {});
  if (!('creationTimestamp' in meta)) {
    meta.creationTimestamp = null;
  }
  const spec = isPlainObject(claim.spec) ? claim.spec : (claim.spec = {});
  spec.volumeMode ??= 'Filesystem';
  const status = isPlainObject(claim.status) ? claim.status : (claim.status = {});
  status.phase ||= 'Pending';
}

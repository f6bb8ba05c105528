import { conflict, badRequest, type GroupResource } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';
import { formatTime } from '../time/kube-time';
import type { ResourceService, WriteOptions } from './resource-service';
import { isPlainObject, type KubeObject } from '../object/types';

const bindingResource: GroupResource = { group: '', resource: 'pods/binding' };

/**
 * pods/binding (BindingREST.Create → setPodHostAndAnnotations): the pod must be unbound, not being
 * deleted and without scheduling gates, and match the binding's uid/resourceVersion
 * preconditions; then `spec.nodeName`, the binding's annotations and `PodScheduled=True` are
 * written in one update. Refusals are 409s on `pods/binding`, as upstream.
 */
export function bindPod(
  service: ResourceService,
  type: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
  options: WriteOptions,
  nowMs: number,
): void {
  const binding = isPlainObject(body) ? body : {};
  const meta = isPlainObject(binding.metadata) ? binding.metadata : {};
  const target = isPlainObject(binding.target) ? binding.target : undefined;
  if (meta.name !== name) {
    throw badRequest('name in URL does not match name in Binding object');
  }
  if (!target || typeof target.name !== 'string' || target.name === '') {
    throw badRequest('Binding "target.name" is required');
  }
  const current = service.get(type, namespace, name);
  const pod = structuredClone<KubeObject>(current.object);
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  if (typeof meta.uid === 'string' && meta.uid !== '' && meta.uid !== pod.metadata.uid) {
    throw conflict(
      type,
      name,
      `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${pod.metadata.uid ?? ''}`,
    );
  }
  const rv = meta.resourceVersion;
  if (typeof rv === 'string' && rv !== '' && rv !== String(current.rv)) {
    throw conflict(type, name);
  }
  if (pod.metadata.deletionTimestamp) {
    throw conflict(
      bindingResource,
      name,
      `pod ${name} is being deleted, cannot be assigned to a host`,
    );
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
    throw conflict(
      bindingResource,
      name,
      `pod ${name} is already assigned to node "${spec.nodeName}"`,
    );
  }
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    throw conflict(bindingResource, name, `pod ${name} has non-empty .spec.schedulingGates`);
  }
  pod.spec = { ...spec, nodeName: target.name };
  if (isPlainObject(meta.annotations)) {
    pod.metadata.annotations = {
      ...(pod.metadata.annotations ?? {}),
      ...(meta.annotations as Record<string, string>),
    };
  }
  const status = isPlainObject(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? [...(status.conditions as unknown[])] : [];
  const i = conditions.findIndex((c) => isPlainObject(c) && c.type === 'PodScheduled');
  const old = i >= 0 ? (conditions[i] as Record<string, unknown>) : undefined;
  // podutil.UpdatePodCondition: a new transition time only when the status changes.
  const scheduled = {
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime:
      old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : formatTime(nowMs),
  };
  if (i >= 0) {
    conditions[i] = scheduled;
  } else {
    conditions.push(scheduled);
  }
  pod.status = { ...status, conditions };
  service.update(type, namespace, name, pod, 'binding', options);
}

import { KubeError } from '../errors/kube-error';
import type { RequestAttributes } from './policy-rule';

/** responsewriters.forbiddenMessage (k8s.io/apiserver pkg/endpoints/handlers/responsewriters). */
export function forbiddenMessage(user: string, a: RequestAttributes): string {
  if (!a.resourceRequest) {
    return `User "${user}" cannot ${a.verb} path "${a.path}"`;
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
}

const sanitize = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The 403 of a denied request: apierrors.NewForbidden over the group resource and name, with the
 * authorizer's reason appended when it gave one (responsewriters.Forbidden).
 */
export function forbiddenError(user: string, a: RequestAttributes, reason = ''): KubeError {
  const why = sanitize(forbiddenMessage(user, a)) + (reason ? `: ${reason}` : '');
  if (!a.resourceRequest || a.resource === '') {
    return new KubeError(403, 'Forbidden', `forbidden: ${why}`, {});
  }
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  return new KubeError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}

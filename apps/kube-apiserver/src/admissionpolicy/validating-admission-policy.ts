import { currentUser } from '../auth/request-user';
import type { AdmissionPlugin, DeleteOptions } from '../api/resource-service';
import { KubeError, type StatusReason } from '../errors/kube-error';
import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import { compileSelector } from '../registry/label-selector-rules';
import { text } from '../registry/object-path';
import type { ResourceRegistry } from '../registry/registry';
import type { ResourceType } from '../registry/resource-type';
import type { TypedStore } from '../storage/typed-store';
import { evaluatePolicy, type PolicyFailure } from './policy-evaluation';
import { matchResourcesMatch, type AdmissionRequestInfo } from './policy-matching';

const GROUP = 'admissionregistration.k8s.io';

/** The stores the plugin reads: policies, bindings, namespaces, and any kind a policy takes as params. */
export interface PolicyStores {
  policies: TypedStore;
  bindings: TypedStore;
  namespaces: TypedStore;
  storeOf(type: ResourceType): TypedStore;
  registry: ResourceRegistry;
}

interface Decision extends PolicyFailure {
  policy: string;
  binding: string;
  warn: boolean;
}

/** metav1.StatusReason → HTTP code as the policy dispatcher maps it (Invalid and anything else: 422). */
const codeOf = (reason: string) =>
  reason === 'Forbidden' ? 403 : reason === 'RequestEntityTooLarge' ? 413 : 422;

/**
 * The ValidatingAdmissionPolicy plugin (k8s.io/apiserver admission/plugin/policy/validating), run
 * after the built-in validation of creates, updates (subresources too) and deletes: every binding
 * whose policy and `matchResources` match the request evaluates the policy's CEL (with its params)
 * and applies its `validationActions` — `Deny` refuses the request with the policy's reason
 * (`Invalid`, 422, by default), `Warn` returns a Warning header, `Audit` is not recorded (this
 * server keeps no audit log). Objects of admissionregistration.k8s.io itself are never checked, so
 * a bad policy cannot lock its own fix out.
 */
export class ValidatingAdmissionPolicyAdmission implements AdmissionPlugin {
  constructor(private readonly stores: PolicyStores) {}

  validateCreate(type: ResourceType, obj: KubeObject, _name: string, warnings?: string[]): void {
    this.check(type, 'CREATE', '', obj, undefined, warnings);
  }

  admitUpdateRequest(
    type: ResourceType,
    obj: KubeObject,
    old: KubeObject,
    subresource: string | undefined,
    warnings?: string[],
  ): void {
    this.check(type, 'UPDATE', subresource ?? '', obj, old, warnings);
  }

  admitDelete(type: ResourceType, old: KubeObject, _options: DeleteOptions): void {
    this.check(type, 'DELETE', '', undefined, old, undefined);
  }

  private check(
    type: ResourceType,
    operation: AdmissionRequestInfo['operation'],
    subresource: string,
    obj: KubeObject | undefined,
    old: KubeObject | undefined,
    warnings: string[] | undefined,
  ): void {
    if (type.group === GROUP) {
      return;
    }
    const bindings = this.stores.bindings.list();
    if (bindings.length === 0) {
      return;
    }
    const target = (obj ?? old)!;
    const namespace = target.metadata.namespace ?? '';
    const namespaceObject = this.namespaceOf(type, target);
    const info: AdmissionRequestInfo = {
      operation,
      group: type.group,
      version: type.version,
      resource: type.resource,
      subresource,
      namespaced: type.scope === 'Namespaced',
      object: obj,
      oldObject: old,
      namespaceLabels:
        namespaceObject && isPlainObject(namespaceObject.metadata)
          ? (namespaceObject.metadata.labels ?? {})
          : undefined,
    };
    const request = requestOf(type, operation, subresource, target, namespace);
    const decisions: Decision[] = [];
    for (const { object: binding } of bindings) {
      const spec = isPlainObject(binding.spec) ? binding.spec : {};
      const policy = this.stores.policies.get('', text(spec.policyName))?.object;
      if (!policy || !isPlainObject(policy.spec)) {
        continue;
      }
      if (
        !matchResourcesMatch(policy.spec.matchConstraints, info) ||
        !matchResourcesMatch(spec.matchResources, info)
      ) {
        continue;
      }
      const actions = Array.isArray(spec.validationActions) ? spec.validationActions.map(text) : [];
      const decide = (failure: PolicyFailure) => {
        if (actions.includes('Deny')) {
          decisions.push({
            ...failure,
            policy: policy.metadata.name ?? '',
            binding: binding.metadata.name ?? '',
            warn: false,
          });
        } else if (actions.includes('Warn')) {
          decisions.push({
            ...failure,
            policy: policy.metadata.name ?? '',
            binding: binding.metadata.name ?? '',
            warn: true,
          });
        }
      };
      const params = this.paramsFor(policy, binding, namespace, type);
      if (!('objects' in params)) {
        if (params.failure) {
          decide(params.failure);
        }
        continue;
      }
      for (const param of params.objects) {
        const failures = evaluatePolicy(policy, {
          object: obj ?? null,
          oldObject: old ?? null,
          request,
          params: param,
          namespaceObject: namespaceObject ?? null,
        });
        failures?.forEach(decide);
      }
    }
    for (const d of decisions.filter((d) => d.warn)) {
      warnings?.push(
        `Validation failed for ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}': ${d.message}`,
      );
    }
    const denied = decisions.find((d) => !d.warn);
    if (denied) {
      const message = `ValidatingAdmissionPolicy '${denied.policy}' with binding '${denied.binding}' denied request: ${denied.message}`;
      const name = target.metadata.name ?? '';
      const qualified = type.group ? `${type.resource}.${type.group}` : type.resource;
      throw new KubeError(
        codeOf(denied.reason),
        denied.reason as StatusReason,
        `${qualified} "${name}" is forbidden: ${message}`,
        { name, group: type.group, kind: type.resource, causes: [{ reason: '', message }] },
      );
    }
  }

  /** The Namespace of a namespaced request (the object itself for namespaces); undefined otherwise. */
  private namespaceOf(type: ResourceType, target: KubeObject): KubeObject | undefined {
    if (type.group === '' && type.resource === 'namespaces') {
      return target;
    }
    const namespace = target.metadata.namespace;
    return namespace ? this.stores.namespaces.get('', namespace)?.object : undefined;
  }

  /**
   * The params a binding hands its policy: none needed (one evaluation with `params: null`), the
   * named object or those its selector picks, in `paramRef.namespace` or the request's; or a
   * failure when they cannot be found and `parameterNotFoundAction` is Deny.
   */
  private paramsFor(
    policy: KubeObject,
    binding: KubeObject,
    requestNamespace: string,
    requestType: ResourceType,
  ): { objects: (KubeObject | null)[] } | { failure?: PolicyFailure } {
    const paramKind = isPlainObject(policy.spec) ? policy.spec.paramKind : undefined;
    if (!isPlainObject(paramKind)) {
      return { objects: [null] };
    }
    const ref =
      isPlainObject(binding.spec) && isPlainObject(binding.spec.paramRef)
        ? binding.spec.paramRef
        : undefined;
    const failClosed = !isPlainObject(policy.spec) || policy.spec.failurePolicy !== 'Ignore';
    const configError = (why: string) =>
      failClosed
        ? { failure: { message: `failed to configure binding: ${why}`, reason: 'Invalid' } }
        : {};
    if (!ref) {
      return configError('paramRef is required when paramKind is set');
    }
    const paramType = this.typeOf(text(paramKind.apiVersion), text(paramKind.kind));
    if (!paramType) {
      return configError(
        `failed to find resource referenced by paramKind: '${text(paramKind.apiVersion)}, Kind=${text(paramKind.kind)}'`,
      );
    }
    let namespace = '';
    if (paramType.scope === 'Namespaced') {
      namespace = text(ref.namespace) || requestNamespace;
      if (!namespace && requestType.scope !== 'Namespaced') {
        return configError(
          'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
        );
      }
    }
    const store = this.stores.storeOf(paramType);
    let objects: KubeObject[];
    if (text(ref.name) !== '') {
      const found = store.get(namespace, text(ref.name))?.object;
      objects = found ? [found] : [];
    } else {
      const selector = compileSelector(ref.selector ?? {});
      objects = store
        .list(paramType.scope === 'Namespaced' ? namespace : undefined)
        .map((s) => s.object)
        .filter((o) => selector?.matches(o.metadata.labels ?? {}));
    }
    if (objects.length > 0) {
      return { objects };
    }
    return text(ref.parameterNotFoundAction) === 'Deny'
      ? {
          failure: {
            message:
              'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction',
            reason: 'Invalid',
          },
        }
      : {};
  }

  private typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.stores.registry
      .kindsOf({ group, version })
      .find((t) => t.kind === kind && !t.resource.includes('/'));
  }
}

/** The `request` variable: admissionv1.AdmissionRequest's fields a policy reads. */
function requestOf(
  type: ResourceType,
  operation: string,
  subresource: string,
  target: KubeObject,
  namespace: string,
): JsonObject {
  const user = currentUser();
  const kind = { group: type.group, version: type.version, kind: type.kind };
  const resource = { group: type.group, version: type.version, resource: type.resource };
  return {
    kind,
    resource,
    subResource: subresource,
    requestKind: kind,
    requestResource: resource,
    requestSubResource: subresource,
    name: target.metadata.name ?? '',
    namespace,
    operation,
    userInfo: user
      ? { username: user.name, uid: user.uid, groups: user.groups, extra: user.extra ?? {} }
      : { username: 'system:apiserver', uid: '', groups: ['system:masters'], extra: {} },
    dryRun: false,
  };
}

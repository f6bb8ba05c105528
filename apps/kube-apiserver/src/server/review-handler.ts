import { isPlainObject, type JsonObject } from '../object/types';
import type { Authenticator } from '../auth/authenticator';
import type { UserInfo } from '../auth/user-info';
import type { Authorizer } from '../authz/authorizer';
import {
  nonResourceAttributes,
  resourceAttributes,
  type PolicyRule,
  type RequestAttributes,
} from '../authz/policy-rule';
import { SYSTEM_MASTERS } from '../auth/user-info';
import { nodeIdentity } from '../authz/node-identity';
import type { RbacAuthorizer } from '../authz/rbac-authorizer';
import { badRequest, invalid, type FieldError } from '../errors/kube-error';
import { apiVersionOf, type ResourceType } from '../registry/resource-type';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
const objectOf = (v: unknown): JsonObject => (isPlainObject(v) ? v : {});

function extraOf(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(objectOf(v))) {
    out[k] = strings(vals);
  }
  return out;
}

/** authorization.k8s.io/v1 ResourceAttributes / NonResourceAttributes → authorizer attributes. */
function attributesOf(spec: JsonObject): RequestAttributes {
  const r = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  if (r) {
    return resourceAttributes({
      verb: text(r.verb),
      apiGroup: text(r.group),
      apiVersion: text(r.version),
      resource: text(r.resource),
      subresource: text(r.subresource),
      namespace: text(r.namespace),
      name: text(r.name),
    });
  }
  const n = objectOf(spec.nonResourceAttributes);
  return nonResourceAttributes(text(n.verb), text(n.path));
}

/** userInfo as authentication.k8s.io/v1 UserInfo. */
export function userInfoJson(user: UserInfo): JsonObject {
  return {
    username: user.name,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length ? { groups: user.groups } : {}),
    ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
  };
}

/**
 * The review kinds (pkg/registry/authentication and pkg/registry/authorization): TokenReview,
 * SelfSubjectReview (`kubectl auth whoami`), SubjectAccessReview, LocalSubjectAccessReview,
 * SelfSubjectAccessReview (`kubectl auth can-i`) and SelfSubjectRulesReview (`can-i --list`).
 * Each answers the posted object with its status filled in; nothing is stored.
 */
export class ReviewHandler {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly authorizer: Authorizer,
    private readonly rbac: RbacAuthorizer,
    private readonly modes: readonly string[],
  ) {}

  create(type: ResourceType, namespace: string, body: unknown, user: UserInfo): JsonObject {
    const obj = objectOf(body);
    const spec = objectOf(obj.spec);
    const base = {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: { ...objectOf(obj.metadata), creationTimestamp: null },
    };
    const fail = (errors: FieldError[]) =>
      invalid(type.kind, type, text(objectOf(obj.metadata).name), errors);
    switch (type.kind) {
      case 'TokenReview': {
        const token = text(spec.token);
        if (token === '') {
          throw badRequest('token is required for TokenReview in authentication');
        }
        const result = this.authenticator.validateToken(token, strings(spec.audiences));
        return {
          ...base,
          spec,
          status: result.user
            ? { authenticated: true, user: userInfoJson(result.user), audiences: result.audiences }
            : { user: {}, ...(result.error ? { error: result.error } : {}) },
        };
      }
      case 'SelfSubjectReview':
        return { ...base, status: { userInfo: userInfoJson(user) } };
      case 'SelfSubjectRulesReview':
        return { ...base, spec, status: this.rules(user, text(spec.namespace)) };
      default:
        break;
    }
    // The access reviews.
    const errors = validateAccessSpec(spec);
    let subject = user;
    if (type.kind === 'SubjectAccessReview' || type.kind === 'LocalSubjectAccessReview') {
      if (text(spec.user) === '' && strings(spec.groups).length === 0) {
        errors.push({
          field: 'spec.user',
          message: 'Invalid value: "": at least one of user or group must be specified',
        });
      }
      subject = {
        name: text(spec.user),
        uid: text(spec.uid),
        groups: strings(spec.groups),
        extra: extraOf(spec.extra),
      };
    }
    if (type.kind === 'LocalSubjectAccessReview') {
      const ra = objectOf(spec.resourceAttributes);
      if (isPlainObject(spec.resourceAttributes) && text(ra.namespace) !== namespace) {
        errors.push({
          field: 'spec.resourceAttributes.namespace',
          message: `Invalid value: "${text(ra.namespace)}": must match metadata.namespace`,
        });
      }
      if (isPlainObject(spec.nonResourceAttributes)) {
        errors.push({
          field: 'spec.nonResourceAttributes',
          message: 'Invalid value: "": disallowed on this kind of request',
        });
      }
    }
    if (errors.length) {
      throw fail(errors);
    }
    const decision = this.authorizer.authorize(subject, attributesOf(spec));
    return {
      ...base,
      spec,
      status: {
        allowed: decision.allowed,
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    };
  }

  /** SelfSubjectRulesReview status: what the user may do in a namespace. */
  private rules(user: UserInfo, namespace: string): JsonObject {
    const all: PolicyRule[] = [];
    let errors: string[] = [];
    if (user.groups.includes(SYSTEM_MASTERS) || this.modes.includes('AlwaysAllow')) {
      all.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
      all.push({ verbs: ['*'], nonResourceURLs: ['*'] });
    }
    if (this.modes.includes('Node') && nodeIdentity(user).isNode) {
      // NodeAuthorizer.RulesFor: a node's permissions depend on its pods, not on rules.
      errors.push('node authorizer does not support user rule resolution');
    }
    if (this.modes.includes('RBAC')) {
      const found = this.rbac.rulesFor(user, namespace);
      all.push(...found.rules);
      errors = [...errors, ...found.errors];
    }
    const resourceRules = all
      .filter((r) => (r.nonResourceURLs ?? []).length === 0)
      .map((r) => ({
        verbs: r.verbs,
        ...(r.apiGroups?.length ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources?.length ? { resources: r.resources } : {}),
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      }));
    const nonResourceRules = all
      .filter((r) => (r.nonResourceURLs ?? []).length > 0)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return {
      resourceRules,
      nonResourceRules,
      incomplete: errors.length > 0,
      ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
    };
  }
}

/** ValidateSubjectAccessReviewSpec: exactly one of resourceAttributes / nonResourceAttributes. */
function validateAccessSpec(spec: JsonObject): FieldError[] {
  const r = isPlainObject(spec.resourceAttributes);
  const n = isPlainObject(spec.nonResourceAttributes);
  if (r && n) {
    return [
      {
        field: 'spec.nonResourceAttributes',
        message: 'Invalid value: "": cannot be specified in combination with resourceAttributes',
      },
    ];
  }
  if (!r && !n) {
    return [
      {
        field: 'spec.resourceAttributes',
        message:
          'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ];
  }
  return [];
}

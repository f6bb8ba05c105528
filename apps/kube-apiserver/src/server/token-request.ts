import { isPlainObject, type JsonObject, type KubeObject } from '../object/types';
import type { BoundKind, ServiceAccountTokens } from '../auth/service-account-tokens';
import { KubeError, invalid, notFound, type FieldError } from '../errors/kube-error';
import type { TypedStore } from '../storage/typed-store';
import { formatTime } from '../time/kube-time';

/** Default and bounds of spec.expirationSeconds (pkg/apis/authentication/validation). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

const GR = { group: 'authentication.k8s.io', resource: 'token' };
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface TokenRequestStores {
  serviceAccounts: TypedStore;
  pods: TypedStore;
  secrets: TypedStore;
  nodes: TypedStore;
}

/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token` (pkg/registry/core/serviceaccount
 * storage/token.go): a signed token for the ServiceAccount, for the requested audiences (default:
 * the api-server's), lifetime (default 1 h, at least 10 min) and bound object (Pod, Secret or
 * Node, whose UID must match when given). `kubectl create token` uses it.
 */
export class TokenRequestHandler {
  constructor(
    private readonly tokens: ServiceAccountTokens,
    private readonly stores: TokenRequestStores,
    private readonly now: () => number,
    /** NodeRestriction: a node asks only for tokens bound to its own pods. */
    private readonly admission?: {
      admitTokenRequest(namespace: string, serviceAccount: string, request: unknown): void;
    },
  ) {}

  create(namespace: string, name: string, body: unknown, dryRun: boolean): JsonObject {
    const sa = this.stores.serviceAccounts.get(namespace, name)?.object;
    if (!sa) {
      throw notFound({ group: '', resource: 'serviceaccounts' }, name);
    }
    this.admission?.admitTokenRequest(namespace, name, body);
    const request = isPlainObject(body) ? body : {};
    const spec = isPlainObject(request.spec) ? { ...request.spec } : {};
    const errors: FieldError[] = [];
    const expiration =
      spec.expirationSeconds === undefined || spec.expirationSeconds === null
        ? DEFAULT_EXPIRATION_SECONDS
        : Number(spec.expirationSeconds);
    if (expiration < MIN_EXPIRATION_SECONDS) {
      errors.push({
        field: 'spec.expirationSeconds',
        message: `Invalid value: ${expiration}: may not specify a duration less than 10 minutes`,
      });
    } else if (expiration > MAX_EXPIRATION_SECONDS) {
      errors.push({
        field: 'spec.expirationSeconds',
        message: `Invalid value: ${expiration}: may not specify a duration larger than 2^32 seconds`,
      });
    }
    const audiences = Array.isArray(spec.audiences)
      ? spec.audiences.filter((a): a is string => typeof a === 'string')
      : [];
    let bound: { kind: BoundKind; object: KubeObject } | undefined;
    const ref = isPlainObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
    if (ref) {
      const kind = text(ref.kind);
      const store =
        kind === 'Pod'
          ? this.stores.pods
          : kind === 'Secret'
            ? this.stores.secrets
            : kind === 'Node'
              ? this.stores.nodes
              : undefined;
      if (!store) {
        errors.push({
          field: 'spec.boundObjectRef.kind',
          message: `Unsupported value: "${kind}": supported values: "Pod", "Secret", "Node"`,
          reason: 'FieldValueNotSupported',
        });
      } else if (text(ref.apiVersion) !== 'v1') {
        errors.push({
          field: 'spec.boundObjectRef.apiVersion',
          message: `Unsupported value: "${text(ref.apiVersion)}": supported values: "v1"`,
          reason: 'FieldValueNotSupported',
        });
      } else if (errors.length === 0) {
        const object = store.get(kind === 'Node' ? '' : namespace, text(ref.name))?.object;
        if (!object) {
          throw notFound({ group: '', resource: `${kind.toLowerCase()}s` }, text(ref.name));
        }
        if (text(ref.uid) !== '' && text(ref.uid) !== object.metadata.uid) {
          throw new KubeError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${kind.toLowerCase()}s "${text(ref.name)}": the UID in the bound object reference (${text(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
            { name: text(ref.name), kind: `${kind.toLowerCase()}s` },
          );
        }
        bound = { kind: kind as BoundKind, object };
        spec.boundObjectRef = { ...ref, uid: object.metadata.uid };
      }
    }
    if (errors.length) {
      throw invalid('TokenRequest', GR, name, errors);
    }
    spec.audiences = audiences.length ? audiences : this.tokens.apiAudiences;
    spec.expirationSeconds = expiration;
    const issued = dryRun
      ? { token: '', expiresAt: this.now() + expiration * 1000 }
      : this.tokens.issue({
          serviceAccount: sa,
          audiences: spec.audiences as string[],
          expirationSeconds: expiration,
          bound,
        });
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: formatTime(this.now()) },
      spec,
      status: { token: issued.token, expirationTimestamp: formatTime(issued.expiresAt) },
    };
  }
}

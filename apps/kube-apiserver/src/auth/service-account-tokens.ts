import { randomUUID } from 'node:crypto';
import type { Clock } from '@app/common';
import type { KubeObject } from '../object/types';
import { looksLikeJwt, signJwt, verifyJwt } from './jwt';
import type { ServiceAccountKeys } from './service-account-keys';
import { serviceAccountGroups, serviceAccountUser, type UserInfo } from './user-info';

export type BoundKind = 'Pod' | 'Secret' | 'Node';

/** Reads the objects a token names (the ServiceAccount, a bound Pod/Secret/Node). */
export type ObjectLookup = (
  kind: 'ServiceAccount' | BoundKind,
  namespace: string,
  name: string,
) => KubeObject | undefined;

export interface IssueRequest {
  serviceAccount: KubeObject;
  audiences: string[];
  expirationSeconds: number;
  bound?: { kind: BoundKind; object: KubeObject };
}

interface Ref {
  name: string;
  uid: string;
}

/** The private claims of pkg/serviceaccount/claims.go. */
interface KubernetesClaims {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
}

export interface TokenValidation {
  user?: UserInfo;
  /** The token's audiences that were asked for (TokenReview status.audiences). */
  audiences: string[];
  error?: string;
}

const refOf = (o: KubeObject): Ref => ({ name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' });
const isRef = (v: unknown): v is Ref =>
  typeof v === 'object' && v !== null && typeof (v as Ref).name === 'string';

/**
 * Bound ServiceAccount tokens (pkg/serviceaccount): RS256 JWTs with upstream's claims, issued by
 * TokenRequest and validated on every request — signature, issuer, audience, expiry, and that the
 * ServiceAccount and any bound object still exist with the same UID (so a token bound to a pod
 * stops working when the pod is deleted).
 */
export class ServiceAccountTokens {
  constructor(
    private readonly keys: ServiceAccountKeys,
    readonly issuer: string,
    readonly apiAudiences: string[],
    private readonly clock: Clock,
    private readonly lookup: ObjectLookup,
  ) {}

  issue(request: IssueRequest): { token: string; expiresAt: number } {
    const now = Math.floor(this.clock.now() / 1000);
    const sa = request.serviceAccount;
    const namespace = sa.metadata.namespace ?? '';
    const claims: KubernetesClaims = { namespace, serviceaccount: refOf(sa) };
    const bound = request.bound;
    if (bound?.kind === 'Pod') {
      claims.pod = refOf(bound.object);
      const nodeName = (bound.object.spec as { nodeName?: unknown } | undefined)?.nodeName;
      const node = typeof nodeName === 'string' ? this.lookup('Node', '', nodeName) : undefined;
      if (node) {
        claims.node = refOf(node);
      }
    } else if (bound?.kind === 'Secret') {
      claims.secret = refOf(bound.object);
    } else if (bound?.kind === 'Node') {
      claims.node = refOf(bound.object);
    }
    const exp = now + request.expirationSeconds;
    const token = signJwt(
      {
        aud: request.audiences,
        exp,
        iat: now,
        iss: this.issuer,
        jti: randomUUID(),
        'kubernetes.io': claims,
        nbf: now,
        sub: serviceAccountUser(namespace, sa.metadata.name ?? ''),
      },
      this.keys.privateKey,
      this.keys.keyId,
    );
    return { token, expiresAt: exp * 1000 };
  }

  /** Validates a bearer token; `audiences` defaults to the api-server's own. */
  validate(token: string, audiences: string[] = this.apiAudiences): TokenValidation {
    const invalid = (error: string): TokenValidation => ({ audiences: [], error });
    if (!looksLikeJwt(token)) {
      return invalid('invalid bearer token');
    }
    const claims = verifyJwt(token, this.keys.publicKey);
    if (!claims || claims.iss !== this.issuer) {
      return invalid('invalid bearer token');
    }
    const tokenAudiences = Array.isArray(claims.aud)
      ? claims.aud.filter((a): a is string => typeof a === 'string')
      : typeof claims.aud === 'string'
        ? [claims.aud]
        : [];
    const matched = audiences.filter((a) => tokenAudiences.includes(a));
    if (matched.length === 0) {
      return invalid(
        'invalid bearer token, token audiences ' +
          JSON.stringify(tokenAudiences) +
          ' is invalid for the target audiences ' +
          JSON.stringify(audiences),
      );
    }
    const now = this.clock.now() / 1000;
    if (typeof claims.exp !== 'number' || now > claims.exp) {
      return invalid('invalid bearer token, service account token has expired');
    }
    if (typeof claims.nbf === 'number' && now < claims.nbf) {
      return invalid('invalid bearer token, service account token is not valid yet');
    }
    const k = claims['kubernetes.io'] as Partial<KubernetesClaims> | undefined;
    if (!k || typeof k.namespace !== 'string' || !isRef(k.serviceaccount)) {
      return invalid('invalid bearer token');
    }
    const sa = this.lookup('ServiceAccount', k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) {
      return invalid(
        `invalid bearer token, service account ${k.namespace}/${k.serviceaccount.name} has been deleted`,
      );
    }
    const extra: Record<string, string[]> = {};
    if (typeof claims.jti === 'string') {
      extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    }
    for (const [kind, ref] of [
      ['Pod', k.pod],
      ['Secret', k.secret],
      ['Node', k.node],
    ] as const) {
      if (!isRef(ref)) {
        continue;
      }
      const object = this.lookup(kind, kind === 'Node' ? '' : k.namespace, ref.name);
      if (!object || object.metadata.uid !== ref.uid) {
        return invalid(
          `invalid bearer token, ${kind.toLowerCase()}s "${ref.name}" not found or was recreated`,
        );
      }
      if (kind === 'Pod' && object.metadata.deletionTimestamp) {
        return invalid(`invalid bearer token, pod "${ref.name}" is being deleted`);
      }
      if (kind === 'Pod' || kind === 'Node') {
        const prefix = kind === 'Pod' ? 'pod' : 'node';
        extra[`authentication.kubernetes.io/${prefix}-name`] = [ref.name];
        extra[`authentication.kubernetes.io/${prefix}-uid`] = [ref.uid];
      }
    }
    return {
      audiences: matched,
      user: {
        name: serviceAccountUser(k.namespace, k.serviceaccount.name),
        uid: k.serviceaccount.uid,
        groups: [...serviceAccountGroups(k.namespace), 'system:authenticated'],
        extra,
      },
    };
  }
}

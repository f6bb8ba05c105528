import { verifyNodeToken } from '@app/common';
import type { ServiceAccountTokens } from './service-account-tokens';
import type { TokenAuthenticator } from './token-authenticator';
import { withAuthenticated, type UserInfo } from './user-info';
import { NODES_GROUP, nodeUser } from '../authz/node-identity';

export interface TokenResult {
  user?: UserInfo;
  audiences: string[];
  error?: string;
}

/** The bearer token of an Authorization header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m?.[1];
}

/** More than the nodes of the largest cluster Nimbus simulates. */
const MAX_VERIFIED_NODE_TOKENS = 10_000;

/**
 * The union token authenticator: the static token file first, then node tokens (per-node kubelet
 * identities, libs/common node-token.ts), then ServiceAccount JWTs. Every user it answers is also
 * in system:authenticated.
 */
export class Authenticator {
  /**
   * Node tokens already verified, token → node name. A node token is a pure function of the
   * node's name and the key, so an entry never goes stale; without this every request of a
   * simulated kubelet paid an HMAC (2.6 % of the api-server's CPU with 1,000 nodes). Bounded:
   * emptied when full.
   */
  private readonly verifiedNodeTokens = new Map<string, string>();

  constructor(
    private readonly tokenFile: TokenAuthenticator,
    private readonly serviceAccounts: ServiceAccountTokens,
    private readonly nodeTokenKey?: Buffer,
  ) {}

  private nodeUser(token: string): UserInfo | undefined {
    const nodeName = this.nodeNameOf(token);
    return nodeName === undefined
      ? undefined
      : { name: nodeUser(nodeName), uid: '', groups: [NODES_GROUP] };
  }

  private nodeNameOf(token: string): string | undefined {
    const known = this.verifiedNodeTokens.get(token);
    if (known !== undefined || !this.nodeTokenKey) {
      return known;
    }
    const nodeName = verifyNodeToken(this.nodeTokenKey, token);
    if (nodeName !== undefined) {
      if (this.verifiedNodeTokens.size >= MAX_VERIFIED_NODE_TOKENS) {
        this.verifiedNodeTokens.clear();
      }
      this.verifiedNodeTokens.set(token, nodeName);
    }
    return nodeName;
  }

  /** Validates a token for `audiences` (default: the api-server's), as TokenReview does. */
  validateToken(token: string, audiences?: string[]): TokenResult {
    const staticUser = this.tokenFile.authenticateToken(token) ?? this.nodeUser(token);
    if (staticUser) {
      return {
        user: withAuthenticated(staticUser),
        audiences: audiences?.length ? audiences : this.serviceAccounts.apiAudiences,
      };
    }
    const result = this.serviceAccounts.validate(token, audiences?.length ? audiences : undefined);
    return result.user ? { ...result, user: withAuthenticated(result.user) } : result;
  }

  authenticate(authorization: string | undefined): UserInfo | undefined {
    const token = bearerToken(authorization);
    return token === undefined ? undefined : this.validateToken(token).user;
  }
}

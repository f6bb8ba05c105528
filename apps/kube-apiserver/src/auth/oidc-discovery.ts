import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendRaw } from '../server/responses';
import type { ServiceAccountKeys } from './service-account-keys';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

/**
 * ServiceAccount issuer discovery (pkg/serviceaccount/openidmetadata.go): the OpenID provider
 * configuration and the JSON Web Key Set that verify ServiceAccount tokens, so external verifiers
 * (and workload-identity setups) can check them. Readable by system:serviceaccounts by default
 * (ClusterRole system:service-account-issuer-discovery).
 */
export class OidcDiscovery {
  private readonly jwks: string;

  /** `externalUrl`: this server's address (the JWKS URI without `--service-account-jwks-uri`). */
  constructor(
    private readonly issuer: string,
    private readonly externalUrl: () => string,
    keys: ServiceAccountKeys,
  ) {
    const jwk = keys.publicKey.export({ format: 'jwk' });
    this.jwks = JSON.stringify({
      keys: [{ use: 'sig', kty: jwk.kty, kid: keys.keyId, alg: 'RS256', n: jwk.n, e: jwk.e }],
    });
  }

  private configuration(): string {
    return JSON.stringify({
      issuer: this.issuer,
      jwks_uri: `${this.externalUrl()}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }

  /** Serves the two documents; false for any other path. */
  handle(path: string, req: IncomingMessage, res: ServerResponse): boolean {
    if (path !== OPENID_CONFIGURATION_PATH && path !== JWKS_PATH) {
      return false;
    }
    const body = path === JWKS_PATH ? this.jwks : this.configuration();
    const type = path === JWKS_PATH ? 'application/jwk-set+json' : 'application/json';
    sendRaw(res, 200, req.method === 'HEAD' ? '' : body, type, {
      'Cache-Control': 'public, max-age=3600',
    });
    return true;
  }
}

import type * as Undici from 'undici';

/** How the client trusts an `https://` cloud API. */
export interface CloudClientTls {
  /** PEM CA bundle; replaces the system roots for this client (as kubectl's certificate-authority). */
  ca?: string;
  /** Accept any certificate. Warned about at construction: anyone on the path can read the token. */
  insecureSkipVerify?: boolean;
}

export const INSECURE_TLS_WARNING =
  'TLS certificate verification of the Nimbus cloud API is OFF (insecure-skip-tls-verify): anyone on the network path can impersonate the cloud and read its token. Give the client the CA instead (--cloud-ca-file).';

/** Refuses trust settings that contradict each other (a CA bundle and no verification). */
export function checkCloudClientTls(tls: CloudClientTls | undefined): void {
  if (tls?.ca !== undefined && tls.insecureSkipVerify) {
    throw new Error('a CA bundle and insecureSkipVerify exclude each other: give one');
  }
}

/**
 * A fetch whose connections trust `tls.ca` (or nothing, when told to skip verification). Node's
 * global fetch cannot take a per-client CA; undici's own fetch with its Agent can, and is the same
 * implementation Node bundles.
 */
export function fetchWithTls(tls: CloudClientTls): typeof fetch {
  checkCloudClientTls(tls);
  // Loaded here, not at the top: undici is ~110 modules that every process importing the cloud
  // client would load at start, while only https:// cloud URLs need it (nimbus up serves http).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent, fetch: undiciFetch } = require('undici') as typeof Undici;
  const agent = new Agent({
    connect: tls.insecureSkipVerify ? { rejectUnauthorized: false } : { ca: tls.ca },
  });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, {
      ...(init as Parameters<typeof Undici.fetch>[1]),
      dispatcher: agent,
    })) as unknown as typeof fetch;
}

/** Codes of a certificate the client does not accept (Node's TLS and OpenSSL verify errors). */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * What to tell the user about a TLS failure (undefined: not a TLS problem). Retrying does not fix
 * any of these, so the client reports them at once.
 */
export function describeTlsFailure(code: string | undefined, message: string): string | undefined {
  if (code === undefined) {
    return undefined;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the cloud API's certificate does not name the host dialled (${message}): dial a name it has, or add this one to it (nimbus cloud-api --tls-san)`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `the cloud API's certificate is outside its validity period (${code}: ${message})`;
  }
  if (CERTIFICATE_CODES.has(code)) {
    return `the cloud API's certificate is not trusted (${code}: ${message}): give the client the CA that signed it (--cloud-ca-file; nimbus keeps a generated one in <data-dir>/cloud-ca.crt)`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return `the server does not speak HTTPS at this address (${message}): use an http:// URL, or start the cloud API with --tls`;
  }
  return undefined;
}

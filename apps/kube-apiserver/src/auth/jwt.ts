import { sign, verify, type KeyObject } from 'node:crypto';

/*
 * Compact RS256 JWS, all that ServiceAccount tokens need (node:crypto signs and verifies
 * RSASSA-PKCS1-v1_5 with SHA-256 directly; no JWT library).
 */

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: KeyObject, keyId: string): string {
  const input = `${encode({ alg: 'RS256', kid: keyId })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Whether a bearer token looks like a JWS (three base64url parts, a JSON header). */
export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
}

/** The payload of a token signed by `key`, or undefined (bad signature, algorithm or shape). */
export function verifyJwt(token: string, key: KeyObject): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as { alg?: unknown };
    if (header.alg !== 'RS256') {
      return undefined;
    }
    const ok = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      key,
      Buffer.from(parts[2], 'base64url'),
    );
    if (!ok) {
      return undefined;
    }
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

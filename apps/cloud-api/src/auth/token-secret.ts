import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token secret (always cryptographically random, never seeded). */
export function newTokenSecret(): string {
  return `nmb_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

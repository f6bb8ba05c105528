import { createHash } from 'node:crypto';
import { DomainError } from '@app/common';

/** The etag of one version of a resource (body field; the header carries it quoted). */
export function etagOf(id: string, version: number): string {
  return createHash('sha1').update(`${id}\u0000${version}`).digest('hex').slice(0, 16);
}

/** Header form: a strong entity tag. */
export function etagHeader(etag: string): string {
  return `"${etag}"`;
}

/**
 * Enforces `If-Match` (RFC 9110): `*` or any listed tag matching the current etag lets the
 * request through; otherwise 412 PRECONDITION_FAILED and nothing changes.
 */
export function assertIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined) {
    return;
  }
  const tags = ifMatch.split(',').map((t) =>
    t
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1'),
  );
  if (tags.includes('*') || tags.includes(current)) {
    return;
  }
  throw new DomainError(
    'PRECONDITION_FAILED',
    `If-Match ${ifMatch} does not match the current etag "${current}"; re-read the resource and retry`,
    { metadata: { currentEtag: current } },
  );
}

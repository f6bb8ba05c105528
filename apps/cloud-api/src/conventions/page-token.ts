import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '@app/common';

interface TokenPayload {
  /** Sort key (seq) of the last item returned. */
  a: number;
  /** Hash of the other list parameters: they must not change between pages. */
  p: string;
}

/**
 * Opaque, signed page tokens. The signature stops clients from forging positions; the parameter
 * hash makes a token from one query unusable with another (400, as AIP-158 asks).
 */
export class PageTokenCodec {
  constructor(private readonly secret: string) {}

  encode(after: number, params: Record<string, unknown>): string {
    const payload = Buffer.from(
      JSON.stringify({ a: after, p: paramsHash(params) } satisfies TokenPayload),
    );
    return `${payload.toString('base64url')}.${this.sign(payload)}`;
  }

  /** The seq to continue after; 0 without a token. */
  decode(token: string | undefined, params: Record<string, unknown>): number {
    if (token === undefined || token === '') {
      return 0;
    }
    const [body, signature] = token.split('.');
    const payload = Buffer.from(body ?? '', 'base64url');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalidArgument('pageToken', 'is not a page token issued by this server');
    }
    const parsed = JSON.parse(payload.toString('utf8')) as TokenPayload;
    if (parsed.p !== paramsHash(params)) {
      throw invalidArgument(
        'pageToken',
        'was issued for different list parameters; keep them unchanged between pages',
      );
    }
    return parsed.a;
  }

  private sign(payload: Buffer): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 22);
  }
}

function paramsHash(params: Record<string, unknown>): string {
  const canonical = Object.keys(params)
    .filter((k) => params[k] !== undefined && k !== 'pageToken' && k !== 'pageSize')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

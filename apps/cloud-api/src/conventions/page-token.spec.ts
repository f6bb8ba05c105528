import { DomainError } from '@app/common';
import { PageTokenCodec } from './page-token';

describe('PageTokenCodec', () => {
  const codec = new PageTokenCodec('secret');

  it('should round-trip the position for the same parameters, ignoring page size', () => {
    const token = codec.encode(42, { zone: 'a', pageSize: 10 });
    expect(codec.decode(token, { zone: 'a', pageSize: 50, pageToken: token })).toBe(42);
    expect(codec.decode(undefined, {})).toBe(0);
  });

  it('should refuse tokens used with other parameters, forged or signed with another secret', () => {
    const token = codec.encode(42, { zone: 'a' });
    expect(() => codec.decode(token, { zone: 'b' })).toThrow(DomainError);
    const [body] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ a: 1, p: 'x' })).toString('base64url')}.${token.split('.')[1]}`;
    expect(() => codec.decode(forged, { zone: 'a' })).toThrow(/not a page token/);
    expect(() => codec.decode(`${body}.AAAA`, { zone: 'a' })).toThrow(DomainError);
    expect(() => new PageTokenCodec('other').decode(token, { zone: 'a' })).toThrow(DomainError);
  });
});

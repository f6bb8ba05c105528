import { DomainError } from '@app/common';
import { assertIfMatch, etagOf } from './etag';
import { thrownBy } from '@app/testing';

describe('etags', () => {
  const etag = etagOf('i-1', 3);

  it('should change with the version and the resource', () => {
    expect(etagOf('i-1', 4)).not.toBe(etag);
    expect(etagOf('i-2', 3)).not.toBe(etag);
    expect(etagOf('i-1', 3)).toBe(etag);
  });

  it.each([undefined, '*', `"${etag}"`, etag, `"x", "${etag}"`])(
    'should accept If-Match %p',
    (ifMatch) => {
      expect(() => assertIfMatch(ifMatch, etag)).not.toThrow();
    },
  );

  it.each(['"x"', `W/"nope"`, ''])(
    'should answer PRECONDITION_FAILED for If-Match %p',
    (ifMatch) => {
      const error = thrownBy(() => assertIfMatch(ifMatch, etag));
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('PRECONDITION_FAILED');
    },
  );
});

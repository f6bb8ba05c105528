import { negotiateOutput, parseAccept, wantsPretty } from './negotiation';
import { queryBool } from '../api/query-params';

describe('content negotiation', () => {
  const builtin = { protobuf: true, conversions: true };

  it('should sort Accept clauses by q and specificity, keeping order otherwise', () => {
    expect(
      parseAccept('*/*;q=0.5, application/json;q=0.9, text/html').map(
        (c) => `${c.type}/${c.subType}`,
      ),
    ).toEqual(['text/html', 'application/json', '*/*']);
  });

  it('should pick what client-go, kubectl and browsers ask for', () => {
    expect(negotiateOutput('application/vnd.kubernetes.protobuf, */*', builtin).serializer).toBe(
      'protobuf',
    );
    expect(
      negotiateOutput('application/vnd.kubernetes.protobuf, */*', { ...builtin, protobuf: false })
        .serializer,
    ).toBe('json');
    expect(negotiateOutput(undefined, builtin).serializer).toBe('json');
    expect(
      negotiateOutput('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', builtin)
        .convert,
    ).toEqual({
      group: 'meta.k8s.io',
      version: 'v1',
      kind: 'Table',
    });
    expect(
      negotiateOutput(
        'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json',
        builtin,
      ),
    ).toMatchObject({
      serializer: 'json',
      convert: undefined,
    });
    expect(() => negotiateOutput('text/plain', builtin)).toThrow(
      'only the following media types are accepted',
    );
  });

  it('should parse ?pretty with strconv.ParseBool and default to pretty for curl', () => {
    expect(wantsPretty(new URLSearchParams('pretty=1'), 'kubectl/v1.32')).toBe(true);
    expect(wantsPretty(new URLSearchParams('pretty=yes'), 'curl/8')).toBe(false);
    expect(wantsPretty(new URLSearchParams(''), 'curl/8')).toBe(true);
  });
});

describe('query parameter decoding', () => {
  it('should treat present booleans as true unless 0 or false', () => {
    const q = new URLSearchParams('a&b=&c=0&d=False&e=no');
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => queryBool(q, k))).toEqual([
      true,
      true,
      false,
      false,
      true,
      undefined,
    ]);
  });
});

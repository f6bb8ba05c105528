import fc from 'fast-check';

/**
 * Building blocks of the generated bad-input suites (cloud API and kube-apiserver): hostile
 * strings, wrong JSON types, malformed JSON texts. Each value is a plausible thing a confused or
 * hostile client sends; the suites assert the server answers < 500, names the problem and writes
 * nothing.
 */

/** Strings a text field should survive: control characters, lone surrogates, RTL, NUL, emoji. */
export const oddUnicode = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff\ud800',
      '\u202eevil\u202c',
      'e\u0301\u0301\u0301',
      '\ufeffbom',
      '💥🔥',
      '\u200b',
      'Ⅻ',
      'İ',
      '\r\n',
      '../../etc/passwd',
      "'; DROP TABLE instances; --",
      '%00%2e%2e',
      '${jndi:ldap://x}',
      '__proto__',
      'constructor',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  );

/** A value of some JSON type other than `type` (an OpenAPI type name). */
export const wrongTypeFor = (
  type: string | undefined,
  allowNull: boolean,
): fc.Arbitrary<unknown> => {
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (type !== 'string') {
    candidates.push(fc.constantFrom('12', 'true', '', 'x'));
  }
  if (type !== 'number' && type !== 'integer') {
    candidates.push(fc.constantFrom(0, -1, 1.5, 1e308, -1e308));
  }
  if (type === 'integer') {
    candidates.push(fc.constantFrom(1.5, 1e21, -0.5));
  }
  if (type !== 'boolean') {
    candidates.push(fc.boolean());
  }
  if (type !== 'object') {
    candidates.push(fc.constant({ nested: { deeper: 1 } }));
  }
  if (type !== 'array') {
    candidates.push(fc.constant([1, 'two', null]));
  }
  if (allowNull) {
    candidates.push(fc.constant(null));
  }
  return fc.oneof(...candidates);
};

/** Bodies that are not JSON at all, or not JSON objects. */
export const malformedJsonText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '{',
      '{"a":',
      '{"a":1,}',
      "{'a':1}",
      '[1,2',
      'nul',
      '{"a":"\\u12"}',
      '{"a":1}{"b":2}',
      '\u0000',
      '{"a":NaN}',
      '{"a":Infinity}',
      '\ufeff{',
    ),
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !isJson(s)),
  );

/** JSON texts that parse but are not an object: arrays, strings, numbers, null. */
export const nonObjectJson = (): fc.Arbitrary<string> =>
  fc.constantFrom('[]', '[{}]', '"text"', '42', 'null', 'true', '-0');

/** `depth` levels of `{"a": {"a": …}}`. */
export function deepNesting(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** An id that should match nothing: traversal, encodings, unicode, huge, SQL. */
export const badPathId = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '..',
      '%2e%2e',
      '%00',
      '%ff',
      "'%20OR%201=1",
      encodeURIComponent('💥'),
      encodeURIComponent('\u202e'),
      'i-' + 'f'.repeat(5000),
      '-1',
      '0',
      'null',
      'undefined',
      '__proto__',
      'constructor',
      '%25',
      'a%2Fb',
    ),
    fc.string({ minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(s)),
  );

/** Header values Node's HTTP client can send (no CR/LF) that break a header's syntax. */
export const badHeaderValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      'has space',
      '\t',
      'x'.repeat(256),
      'x'.repeat(8000),
      'ü',
      '"unterminated',
      '""',
      'W/',
      ',,,',
      '*,*',
      '\u00ff\u0080',
    ),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '\u00e9')),
  );

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

import fc from 'fast-check';
import {
  badHeaderValue,
  badPathId,
  deepNesting,
  malformedJsonText,
  nonObjectJson,
  oddUnicode,
  wrongTypeFor,
} from '@app/testing';
import { exampleOf, fieldPaths, typeOf, type Operation, type Schema } from './openapi-operations';

/** What was broken, so the assertion knows which answer to expect and which field to see named. */
export type MutationKind =
  | 'wrongType'
  | 'missingRequired'
  | 'unknownField'
  | 'hugeString'
  | 'hugeArray'
  | 'deepNesting'
  | 'oddUnicode'
  | 'malformedJson'
  | 'nonObjectBody'
  | 'bodyTooLarge'
  | 'badPathId'
  | 'badIdempotencyKey'
  | 'badIfMatch'
  | 'badQuery'
  | 'badRawBody';

export interface BadRequest {
  op: Operation;
  kind: MutationKind;
  /** The field (body path, header or query parameter) the mutation broke, if one. */
  field?: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Raw body text (JSON or not) or bytes; undefined = no body. */
  body?: string | Buffer;
  contentType?: string;
}

export interface Fixtures {
  /** Real ids by path parameter, chosen per path prefix. */
  pathIds(op: Operation): Record<string, string>;
  /** Real values by body property name (instanceId → an existing instance). */
  known: Record<string, unknown>;
}

/** Kinds that must be refused (4xx); the others may also be accepted if the value is valid. */
export const MUST_REFUSE: ReadonlySet<MutationKind> = new Set<MutationKind>([
  'wrongType',
  'missingRequired',
  'unknownField',
  'hugeString',
  'hugeArray',
  'deepNesting',
  'malformedJson',
  'nonObjectBody',
  'bodyTooLarge',
  'badPathId',
  'badIdempotencyKey',
  'badIfMatch',
  'badQuery',
  'badRawBody',
]);

/** docs/api-conventions.md: 1–255 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const HUGE_STRING = 70_000;
const HUGE_ARRAY = 10_001;

/** Bad requests for one operation: every mutation that applies to it. */
export function badRequestsFor(op: Operation, fixtures: Fixtures): fc.Arbitrary<BadRequest> {
  const ids = fixtures.pathIds(op);
  const base = (): BadRequest => ({
    op,
    kind: 'badPathId',
    path: fillPath(op.path, ids),
    query: {},
    headers: {},
    ...(op.body
      ? {
          body: JSON.stringify(exampleOf(op.body, fixtures.known)),
          contentType: 'application/json',
        }
      : {}),
  });
  const arbitraries: fc.Arbitrary<BadRequest>[] = [];
  if (op.body) {
    arbitraries.push(bodyMutations(op.body, fixtures.known, base));
  }
  if (op.rawBodyType) {
    arbitraries.push(
      fc
        .oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a)),
          fc.constant(Buffer.from('SQLite format 3\u0000' + 'x'.repeat(200))),
        )
        .map((bytes) => ({
          ...base(),
          kind: 'badRawBody',
          field: 'body',
          body: bytes,
          contentType: op.rawBodyType,
        })),
    );
  }
  for (const param of op.pathParams) {
    arbitraries.push(
      badPathId().map((id) => ({
        ...base(),
        kind: 'badPathId',
        field: param,
        path: fillPath(op.path, { ...ids, [param]: id }),
      })),
    );
  }
  if (op.headers.includes('Idempotency-Key')) {
    arbitraries.push(
      badHeaderValue()
        .map((value) => value.trim())
        // HTTP trims header values; what is left must still break the key's syntax.
        .filter((value) => value.length > 0 && !IDEMPOTENCY_KEY.test(value))
        .map((value) => ({
          ...base(),
          kind: 'badIdempotencyKey',
          field: 'Idempotency-Key',
          headers: { 'Idempotency-Key': value },
        })),
    );
  }
  if (op.headers.includes('If-Match')) {
    arbitraries.push(
      badHeaderValue()
        .map((value) => value.trim())
        .filter((v) => v.length > 0 && !v.split(',').some((t) => t.trim() === '*'))
        .map((value) => ({
          ...base(),
          kind: 'badIfMatch',
          field: 'If-Match',
          headers: { 'If-Match': value },
        })),
    );
  }
  if (op.queryParams.length > 0) {
    arbitraries.push(queryMutations(op, base));
  }
  return fc.oneof(...arbitraries);
}

function bodyMutations(
  schema: Schema,
  known: Record<string, unknown>,
  base: () => BadRequest,
): fc.Arbitrary<BadRequest> {
  const example = () => exampleOf(schema, known) as Record<string, unknown>;
  const fields = fieldPaths(schema);
  const withBody = (kind: MutationKind, field: string | undefined, body: unknown): BadRequest => ({
    ...base(),
    kind,
    field,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const arbs: fc.Arbitrary<BadRequest>[] = [
    malformedJsonText().map((text) => withBody('malformedJson', 'body', text)),
    nonObjectJson().map((text) => withBody('nonObjectBody', 'body', text)),
    fc
      .constant(null)
      .map(() => withBody('bodyTooLarge', 'body', JSON.stringify({ pad: 'x'.repeat(1_200_000) }))),
    fc
      .tuple(
        fc.constantFrom(
          '',
          ...fields
            .filter((f) => typeOf(f.schema) === 'object' && f.schema.properties)
            .map((f) => f.path),
        ),
        fc.constantFrom('colour', 'extra', '__proto__x', 'constructorx', 'Name'),
      )
      .map(([at, key]) => {
        const body = example();
        const target = at ? ensureAt(body, at) : body;
        target[key] = 'surprise';
        return withBody('unknownField', at ? `${at}.${key}` : key, body);
      }),
  ];
  if (fields.length > 0) {
    arbs.push(
      fc
        .constantFrom(...fields)
        .chain((f) => wrongTypeFor(typeOf(f.schema), f.required).map((value) => ({ f, value })))
        .filter(
          ({ f, value }) =>
            !(f.schema.oneOf && (typeof value === 'string' || typeof value === 'number')),
        )
        .map(({ f, value }) => {
          const body = example();
          setAt(body, f.path, value);
          return withBody('wrongType', f.path, body);
        }),
    );
  }
  const required = fields.filter((f) => f.required);
  if (required.length > 0) {
    arbs.push(
      fc.constantFrom(...required).map((f) => {
        const body = example();
        ensureAt(body, parentOf(f.path));
        setAt(body, f.path, undefined);
        return withBody('missingRequired', f.path, body);
      }),
    );
  }
  const strings = fields.filter((f) => typeOf(f.schema) === 'string' && !f.schema.enum);
  if (strings.length > 0) {
    arbs.push(
      fc.constantFrom(...strings).map((f) => {
        const body = example();
        setAt(body, f.path, 'x'.repeat(HUGE_STRING));
        return withBody('hugeString', f.path, body);
      }),
      fc.tuple(fc.constantFrom(...strings), oddUnicode()).map(([f, text]) => {
        const body = example();
        setAt(body, f.path, text);
        return withBody('oddUnicode', f.path, body);
      }),
    );
  }
  const arrays = fields.filter((f) => typeOf(f.schema) === 'array');
  if (arrays.length > 0) {
    arbs.push(
      fc.constantFrom(...arrays).map((f) => {
        const body = example();
        const item = f.schema.items ? exampleOf(f.schema.items, known) : 'x';
        setAt(
          body,
          f.path,
          Array.from({ length: HUGE_ARRAY }, () => item),
        );
        return withBody('hugeArray', f.path, body);
      }),
    );
  }
  const objects = fields.filter((f) => typeOf(f.schema) === 'object');
  if (objects.length > 0) {
    arbs.push(
      fc
        .tuple(fc.constantFrom(...objects), fc.constantFrom(64, 2_000, 20_000))
        .map(([f, depth]) => {
          const body = example();
          setAt(body, f.path, '__DEEP__');
          const text = JSON.stringify(body).replace('"__DEEP__"', deepNesting(depth));
          return withBody('deepNesting', f.path, text);
        }),
    );
  }
  return fc.oneof(...arbs);
}

function queryMutations(op: Operation, base: () => BadRequest): fc.Arbitrary<BadRequest> {
  const values: Record<string, fc.Arbitrary<string>> = {
    pageSize: fc.constantFrom('-1', '0', '501', 'abc', '1e9', '1.5', '', '9'.repeat(400)),
    pageToken: fc.oneof(
      fc.constantFrom('x', '%%%', 'eyJ9', '.'.repeat(5000)),
      fc.base64String({ minLength: 4, maxLength: 40 }),
    ),
    labelSelector: fc.constantFrom(
      'a in (',
      '!',
      '=b',
      'a in b',
      ',',
      'a=b=c',
      '💥=1',
      'x'.repeat(400) + '=1',
    ),
    since: fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '1e999'),
    until: fc.constantFrom('tomorrow', '0000-00-00'),
    status: fc.constantFrom('6xx', 'abc', '-1', '99999'),
    outOfBand: fc.constantFrom('maybe', 'yes', '2'),
    state: fc.constantFrom('exploded', 'RUNNING ', '💥'),
    lastEventId: fc.constantFrom('abc', '-1', '1.5', '9'.repeat(40)),
  };
  const known = op.queryParams.filter((p) => p in values);
  const arbs: fc.Arbitrary<BadRequest>[] = [
    fc.constantFrom('colour', 'pagesize', 'filter', 'pageSize ').map((name) => ({
      ...base(),
      kind: 'badQuery' as const,
      field: name,
      query: Object.defineProperty({}, name, { value: '1', enumerable: true }),
    })),
  ];
  if (known.length > 0) {
    arbs.push(
      fc
        .constantFrom(...known)
        .chain((name) => values[name].map((value) => ({ name, value })))
        .map(({ name, value }) => ({
          ...base(),
          kind: 'badQuery' as const,
          field: name,
          query: { [name]: value },
        })),
    );
  }
  return fc.oneof(...arbs);
}

function fillPath(template: string, ids: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? 'missing-id');
}

const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

function segments(path: string): (string | number)[] {
  return [...path.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

function parentOf(path: string): string {
  const parts = segments(path);
  parts.pop();
  return parts
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}

/** The object at `path` in `root`, created (as objects/arrays) where missing. */
function ensureAt(root: Record<string, unknown>, path: string): Record<string, unknown> {
  let node: Record<string, unknown> = root;
  const parts = segments(path);
  parts.forEach((part, i) => {
    const next = parts[i + 1];
    const key = String(part);
    if (typeof node[key] !== 'object' || node[key] === null) {
      node[key] = typeof next === 'number' ? [] : {};
    }
    node = node[key] as Record<string, unknown>;
  });
  return node;
}

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = segments(path);
  const last = String(parts.pop());
  const parent = parts.length
    ? ensureAt(
        root,
        parts
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
          .join('')
          .replace(/^\./, ''),
      )
    : root;
  if (value === undefined) {
    delete parent[last];
  } else {
    parent[last] = value;
  }
}

import type { JsonSchema } from './json-schema';
import { applyDefaults } from './schema-defaults';
import { pruneObject } from './schema-pruning';
import { validateAgainstSchema } from './schema-validation';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['color'],
      properties: {
        color: { type: 'string', enum: ['red', 'blue'] },
        size: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0 },
        name: { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 4 },
        email: { type: 'string', format: 'email' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: {
          type: 'array',
          maxItems: 2,
          items: { type: 'string' },
          'x-kubernetes-list-type': 'set',
        },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, proto: { type: 'string', default: 'TCP' } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        note: { type: 'string', nullable: true },
        mode: { type: 'string', default: 'auto' },
      },
    },
  },
};

describe('custom resource schema validation (kube-openapi messages)', () => {
  const errors = (spec: Record<string, unknown>) =>
    validateAgainstSchema({ spec }, schema).map((e) => `${e.field}: ${e.message}`);

  it('should accept a valid object', () => {
    expect(
      errors({ color: 'red', size: 3, port: 'http', tags: ['a'], note: null, ratio: 0.5 }),
    ).toEqual([]);
  });

  it('should name each bad field with upstream wording', () => {
    expect(
      errors({
        size: 11,
        ratio: 0,
        name: 'A',
        email: 'nope',
        port: true,
        tags: ['a', 'a', 'b'],
        labels: { a: 1 },
      }),
    ).toEqual([
      'spec.color: Required value',
      'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
      'spec.name: Invalid value: "A": spec.name in body should be at least 2 chars long',
      `spec.name: Invalid value: "A": spec.name in body should match '^[a-z]+$'`,
      'spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope"',
      'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.tags[1]: Duplicate value: "a"',
      'spec.labels.a: Invalid value: 1: spec.labels.a in body must be of type string: "integer"',
    ]);
  });

  it('should report enums as unsupported values and check embedded resources', () => {
    expect(errors({ color: 'green', template: { spec: {} } })).toEqual([
      'spec.color: Unsupported value: "green": supported values: "red", "blue"',
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
    ]);
  });

  it('should refuse a too long string and a null on a non-nullable field', () => {
    expect(errors({ color: 'red', name: 'abcde', mode: null })).toEqual([
      'spec.name: Too long: may not be longer than 4',
      'spec.mode: Invalid value: null: spec.mode in body must be of type string: "null"',
    ]);
  });
});

describe('pruning', () => {
  it('should drop unspecified fields and report their paths', () => {
    const obj = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', bogus: 1 },
      spec: {
        color: 'red',
        unknown: { deep: 1 },
        ports: [{ name: 'a', extra: true }],
        labels: { any: 'thing' },
        extra: { kept: { deep: true } },
        template: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { a: 'x', b: 'y' },
        },
      },
      top: 1,
    };
    expect(pruneObject(obj, schema).sort()).toEqual([
      'metadata.bogus',
      'spec.ports[0].extra',
      'spec.template.spec.b',
      'spec.unknown',
      'top',
    ]);
    expect(obj).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: {
        color: 'red',
        ports: [{ name: 'a' }],
        labels: { any: 'thing' },
        extra: { kept: { deep: true } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } },
      },
    });
  });

  it('should drop nulls of non-nullable fields but keep nullable ones', () => {
    const obj = { metadata: {}, spec: { color: 'red', mode: null, note: null } };
    pruneObject(obj, schema);
    expect(obj.spec).toEqual({ color: 'red', note: null });
  });
});

describe('defaulting', () => {
  it('should fill absent fields recursively, including list items, and leave set ones', () => {
    const obj = { spec: { color: 'red', size: 7, ports: [{ name: 'a' }, { proto: 'UDP' }] } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({
      color: 'red',
      size: 7,
      mode: 'auto',
      ports: [{ name: 'a', proto: 'TCP' }, { proto: 'UDP' }],
    });
  });

  it('should default a null on a non-nullable field and copy default values', () => {
    const a = { spec: { mode: null } as Record<string, unknown> };
    const b = { spec: {} as Record<string, unknown> };
    applyDefaults(a, schema);
    applyDefaults(b, schema);
    expect(a.spec.mode).toBe('auto');
    (a.spec as { size: number }).size = 99;
    expect(b.spec.size).toBe(5);
  });
});

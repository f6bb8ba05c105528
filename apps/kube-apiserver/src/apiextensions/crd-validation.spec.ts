import type { KubeObject } from '../object/types';
import { calculateNames } from './crd-names';
import { validateCrd } from './crd-validation';

function crd(overrides: Record<string, unknown> = {}, name = 'widgets.example.com'): KubeObject {
  return {
    metadata: { name },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
            },
          },
        },
      ],
      ...overrides,
    },
  };
}

const messages = (obj: KubeObject, old?: KubeObject) =>
  validateCrd(obj, old).map((e) => `${e.field}: ${e.message}`);

describe('CustomResourceDefinition validation', () => {
  it('should accept a structural v1 CRD', () => {
    expect(messages(crd())).toEqual([]);
  });

  it('should require the name to be <plural>.<group> and a dotted group', () => {
    expect(messages(crd({}, 'widgets.other.com'))).toEqual([
      'metadata.name: Invalid value: "widgets.other.com": must be spec.names.plural+"."+spec.group',
    ]);
    expect(messages(crd({ group: 'example' }, 'widgets.example'))).toEqual([
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ]);
  });

  it('should check names, scope and the one storage version', () => {
    const bad = crd({
      scope: 'Everywhere',
      names: { plural: 'Widgets', kind: 'Widget', listKind: 'Widget', shortNames: ['w_1'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object' } },
        },
        {
          name: 'v1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object' } },
        },
      ],
    });
    bad.metadata.name = 'Widgets.example.com';
    const out = messages(bad);
    expect(out).toContain(
      'spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"',
    );
    expect(out).toContain('spec.versions[1].name: Duplicate value: "v1"');
    expect(
      out.some(
        (m) =>
          m.startsWith('spec.versions: Invalid value: ') &&
          m.endsWith(': must have exactly one version marked as storage version'),
      ),
    ).toBe(true);
    expect(out).toContain('spec.names.singular: Required value');
    expect(
      out.some((m) =>
        m.startsWith('spec.names.plural: Invalid value: "Widgets": a DNS-1035 label'),
      ),
    ).toBe(true);
    expect(out.some((m) => m.startsWith('spec.names.shortNames[0]: Invalid value: "w_1"'))).toBe(
      true,
    );
    expect(out).toContain(
      'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    );
  });

  it('should refuse non-structural schemas and unsupported keywords', () => {
    const out = messages(
      crd({
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { untyped: {}, list: { type: 'array', items: {} } },
                    anyOf: [{ type: 'string' }],
                  },
                  status: { $ref: '#/definitions/x', type: 'object', uniqueItems: true },
                },
              },
            },
          },
        ],
      }),
    );
    const at = 'spec.versions[0].schema.openAPIV3Schema.properties';
    expect(out).toEqual(
      expect.arrayContaining([
        `${at}[spec].properties[untyped].type: Required value: must not be empty for specified object fields`,
        `${at}[spec].properties[list].items.type: Required value: must not be empty for specified array items`,
        `${at}[spec].anyOf[0].type: Forbidden: must be undefined to be structural`,
        `${at}[status].$ref: Forbidden: $ref is not supported`,
        `${at}[status].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      ]),
    );
    expect(messages(crd({ versions: [{ name: 'v1', served: true, storage: true }] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    ]);
  });

  it('should check printer columns and scale paths', () => {
    const out = messages(
      crd({
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object' } },
            subresources: { scale: { specReplicasPath: '.status.replicas' } },
            additionalPrinterColumns: [{ name: 'X', type: 'text', jsonPath: 'spec.x' }],
          },
        ],
      }),
    );
    expect(out).toEqual([
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
    ]);
  });

  it('should keep scope and kind once established, and group and plural always', () => {
    const old = crd();
    old.status = { conditions: [{ type: 'Established', status: 'True' }] };
    const next = crd({
      scope: 'Cluster',
      names: { plural: 'widgets', singular: 'widget', kind: 'Gadget', listKind: 'GadgetList' },
    });
    expect(messages(next, old)).toEqual([
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Gadget": field is immutable',
    ]);
  });

  it('should refuse conversion webhooks, which this server cannot call', () => {
    expect(messages(crd({ conversion: { strategy: 'Webhook' } }))).toEqual([
      'spec.conversion.strategy: Forbidden: conversion webhooks are not supported by this server (use "None")',
    ]);
  });
});

describe('the naming controller', () => {
  const accepted = (obj: KubeObject) => {
    obj.status = { acceptedNames: (obj.spec as { names: unknown }).names };
    return obj;
  };

  it('should accept names nobody else in the group uses', () => {
    const result = calculateNames(crd(), [crd()]);
    expect(result.namesAccepted).toEqual({
      type: 'NamesAccepted',
      status: 'True',
      reason: 'NoConflicts',
      message: 'no conflicts found',
    });
    expect(result.established).toEqual({
      type: 'Established',
      status: 'False',
      reason: 'Installing',
      message: 'the initial names have been accepted',
    });
    expect(result.acceptedNames).toMatchObject({ plural: 'widgets', kind: 'Widget' });
  });

  it('should refuse a plural or kind another CRD of the group accepted', () => {
    const other = accepted(
      crd(
        {
          names: { plural: 'gadgets', singular: 'widgets', kind: 'Widget', listKind: 'WidgetList' },
        },
        'gadgets.example.com',
      ),
    );
    const result = calculateNames(crd(), [other]);
    expect(result.namesAccepted).toEqual({
      type: 'NamesAccepted',
      status: 'False',
      reason: 'ListKindConflict',
      message: '"WidgetList" is already in use',
    });
    expect(result.established).toMatchObject({ status: 'False', reason: 'NotAccepted' });
    expect(result.acceptedNames.plural).toBeUndefined();
    expect(result.acceptedNames.kind).toBeUndefined();
    // Another group may use the same names.
    const elsewhere = accepted(crd({ group: 'other.io' }, 'widgets.other.io'));
    expect(calculateNames(crd(), [elsewhere]).namesAccepted.status).toBe('True');
  });
});

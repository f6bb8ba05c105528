import { ruleCompileError, validateCelRules } from './cel-rules';
import type { JsonSchema } from './json-schema';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        {
          rule: 'self.minReplicas <= self.maxReplicas',
          message: 'minReplicas must not exceed maxReplicas',
        },
        { rule: 'self.name.lowerAscii() == self.name', fieldPath: '.name' },
        {
          rule: 'self.mode == oldSelf.mode',
          message: 'mode is immutable',
          reason: 'FieldValueForbidden',
        },
        { rule: 'self.name.isURL()' },
      ],
      properties: {
        minReplicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        name: { type: 'string' },
        mode: { type: 'string' },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            'x-kubernetes-validations': [
              {
                rule: 'self.port > 1024',
                messageExpression: "'port ' + string(self.port) + ' is privileged'",
              },
            ],
            properties: { port: { type: 'integer' } },
          },
        },
      },
    },
  },
};

const messages = (value: unknown, old?: unknown) =>
  validateCelRules(value, old, schema).map((e) => `${e.field}: ${e.message}`);

describe('CEL validation rules (x-kubernetes-validations)', () => {
  const spec = { minReplicas: 1, maxReplicas: 3, name: 'web', mode: 'a', ports: [{ port: 8080 }] };

  it('should pass objects that satisfy every rule (ints compare as ints)', () => {
    expect(messages({ spec })).toEqual([]);
  });

  it('should report failed rules with their messages, field paths and reasons', () => {
    expect(
      messages(
        { spec: { ...spec, minReplicas: 5, name: 'Web', mode: 'b', ports: [{ port: 80 }] } },
        { spec },
      ),
    ).toEqual([
      'spec: Invalid value: "object": minReplicas must not exceed maxReplicas',
      'spec.name: Invalid value: "object": failed rule: self.name.lowerAscii() == self.name',
      'spec: Forbidden: mode is immutable',
      'spec.ports[0]: Invalid value: "object": port 80 is privileged',
    ]);
  });

  it('should run transition rules on updates only', () => {
    expect(messages({ spec: { ...spec, mode: 'b' } })).toEqual([]);
  });

  it('should report missing fields as upstream evaluation errors', () => {
    const { maxReplicas: _max, ...partial } = spec;
    expect(messages({ spec: partial })).toEqual([
      'spec: Invalid value: "object": no such key: maxReplicas evaluating rule: self.minReplicas <= self.maxReplicas',
    ]);
  });

  it('should refuse rules that do not parse', () => {
    expect(ruleCompileError('self.a ==')).toBeDefined();
    expect(ruleCompileError('self.a == 1')).toBeUndefined();
  });
});

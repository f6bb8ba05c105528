import { podKind } from '../registry/kinds/pod.kind';
import { nodeKind } from '../registry/kinds/node.kind';
import { parseFieldSelector } from './field-selector';

describe('parseFieldSelector', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running' },
  };

  it('should match per-kind fields with = and !=', () => {
    const m = parseFieldSelector(
      'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed',
      podKind,
    )!;
    expect(m(pod)).toBe(true);
    expect(m({ ...pod, status: { phase: 'Failed' } })).toBe(false);
  });

  it('should match an empty value against an absent field', () => {
    expect(parseFieldSelector('spec.nodeName=', podKind)!({ metadata: { name: 'x' } })).toBe(true);
    expect(parseFieldSelector('spec.nodeName!=', podKind)!(pod)).toBe(true);
  });

  it('should reject unsupported fields, including metadata.namespace on cluster kinds', () => {
    expect(() => parseFieldSelector('foo=bar', podKind)).toThrow('field label not supported: foo');
    expect(() => parseFieldSelector('metadata.namespace=x', nodeKind)).toThrow(
      'field label not supported',
    );
  });
});

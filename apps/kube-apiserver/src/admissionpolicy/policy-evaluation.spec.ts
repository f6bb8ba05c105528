import { evaluatePolicy, type PolicyInputs } from './policy-evaluation';

const inputs = (object: unknown, over: Partial<PolicyInputs> = {}): PolicyInputs => ({
  object,
  oldObject: null,
  request: { operation: 'CREATE', namespace: 'team', userInfo: { username: 'alice' } },
  params: null,
  namespaceObject: null,
  ...over,
});
const deployment = (replicas: number) => ({ metadata: { name: 'web' }, spec: { replicas } });
const policy = (spec: object) => ({ spec: { failurePolicy: 'Fail', ...spec } });

describe('evaluatePolicy', () => {
  it('passes true validations and names failed ones by message, messageExpression or expression', () => {
    const p = policy({
      validations: [
        { expression: 'object.spec.replicas <= 5' },
        { expression: 'object.spec.replicas > 1', message: 'run at least two' },
        {
          expression: "object.metadata.name != 'web'",
          messageExpression: "'name ' + object.metadata.name + ' is taken in ' + request.namespace",
          reason: 'Forbidden',
        },
      ],
    });
    expect(evaluatePolicy(p, inputs(deployment(1)))).toEqual([
      { message: 'run at least two', reason: 'Invalid' },
      { message: 'name web is taken in team', reason: 'Forbidden' },
    ]);
    expect(evaluatePolicy(p, inputs(deployment(9)))?.[0]).toEqual({
      message: 'failed expression: object.spec.replicas <= 5',
      reason: 'Invalid',
    });
  });

  it('skips the policy when a match condition is false, and computes variables in order', () => {
    const p = policy({
      matchConditions: [{ name: 'not-alice', expression: "request.userInfo.username != 'alice'" }],
      validations: [{ expression: 'false' }],
    });
    expect(evaluatePolicy(p, inputs(deployment(1)))).toBeUndefined();
    const vars = policy({
      variables: [
        { name: 'replicas', expression: 'object.spec.replicas' },
        { name: 'doubled', expression: 'variables.replicas * 2' },
      ],
      validations: [{ expression: 'variables.doubled < 10' }],
    });
    expect(evaluatePolicy(vars, inputs(deployment(4)))).toEqual([]);
    expect(evaluatePolicy(vars, inputs(deployment(5)))).toHaveLength(1);
  });

  it('fails closed on errors under Fail, and skips them under Ignore', () => {
    const spec = { validations: [{ expression: 'object.spec.missing > 1' }] };
    const [failure] = evaluatePolicy(policy(spec), inputs(deployment(1)))!;
    expect(failure.message).toMatch(/^expression 'object\.spec\.missing > 1' resulted in error: /);
    expect(
      evaluatePolicy(policy({ ...spec, failurePolicy: 'Ignore' }), inputs(deployment(1))),
    ).toEqual([]);
  });

  it('sees params and oldObject, and null where there are none', () => {
    const p = policy({
      validations: [
        { expression: 'object.spec.replicas <= int(params.data.max)' },
        { expression: 'oldObject == null || object.spec.replicas >= oldObject.spec.replicas' },
      ],
    });
    const withParams = inputs(deployment(3), {
      params: { data: { max: '2' } },
      oldObject: deployment(4),
    });
    expect(evaluatePolicy(p, withParams)?.map((f) => f.message)).toEqual([
      'failed expression: object.spec.replicas <= int(params.data.max)',
      'failed expression: oldObject == null || object.spec.replicas >= oldObject.spec.replicas',
    ]);
  });
});

import {
  asRetryError,
  defaultLoadBalancerName,
  errorAs,
  InstanceNotFoundError,
  isImplementedElsewhere,
  isInstanceNotFound,
  loadBalancerSourceRanges,
  RetryError,
} from './index';

describe('defaultLoadBalancerName', () => {
  it('should be "a" and the UID without dashes, truncated to 32 characters', () => {
    const name = defaultLoadBalancerName({
      metadata: { uid: '7f3c2a1e-0b9d-4c5f-a6b7-c8d9e0f1a2b3' },
    });

    expect(name).toBe('a7f3c2a1e0b9d4c5fa6b7c8d9e0f1a2b');
    expect(name).toHaveLength(32);
    expect(defaultLoadBalancerName({ metadata: { uid: 'ab-cd' } })).toBe('aabcd');
  });
});

describe('errorAs', () => {
  it('should find errors wrapped with cause, as errors.As does with %w', () => {
    const retry = new RetryError('provisioning', 5000);
    const wrapped = new Error('failed to ensure load balancer: provisioning', { cause: retry });

    expect(asRetryError(wrapped)).toBe(retry);
    expect(asRetryError(new Error('x'))).toBeUndefined();
    expect(isInstanceNotFound(new Error('outer', { cause: new InstanceNotFoundError() }))).toBe(
      true,
    );
    expect(isImplementedElsewhere(new AggregateError([new Error('a')]))).toBe(false);
    expect(errorAs(new AggregateError([retry]), RetryError)).toBe(retry);
  });
});

describe('loadBalancerSourceRanges', () => {
  it('should prefer the spec field over the annotation and trim entries', () => {
    const annotations = {
      'service.beta.kubernetes.io/load-balancer-source-ranges': '1.2.3.0/24, 5.6.0.0/16',
    };

    expect(
      loadBalancerSourceRanges({
        metadata: { annotations },
        spec: { loadBalancerSourceRanges: [' 10.0.0.0/8'] },
      }),
    ).toEqual(['10.0.0.0/8']);
    expect(loadBalancerSourceRanges({ metadata: { annotations } })).toEqual([
      '1.2.3.0/24',
      '5.6.0.0/16',
    ]);
    expect(loadBalancerSourceRanges({})).toEqual([]);
  });
});

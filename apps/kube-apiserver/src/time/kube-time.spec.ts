import { formatMicroTime, formatTime, humanDuration, normalizeTimes } from './kube-time';

describe('Kubernetes time formats', () => {
  it('should write Time with whole seconds and MicroTime with six digits', () => {
    const ms = Date.UTC(2026, 10, 26, 19, 8, 36, 123);
    expect(formatTime(ms)).toBe('2026-11-26T19:08:36Z');
    expect(formatMicroTime(ms)).toBe('2026-11-26T19:08:36.123000Z');
  });

  it('should normalise nested fields but leave labels and data alone', () => {
    const obj = {
      metadata: {
        creationTimestamp: '2026-11-26T19:08:36.5Z',
        annotations: { someTime: '2026-11-26T19:08:36.5Z' },
      },
      spec: { renewTime: '2026-11-26T19:08:36Z', acquireTime: '2026-11-26T20:08:36.1234567+01:00' },
      status: { conditions: [{ lastTransitionTime: '2026-11-26T19:08:36.999Z' }] },
    };
    normalizeTimes(obj, new Set(['renewTime', 'acquireTime']));
    expect(obj.metadata.creationTimestamp).toBe('2026-11-26T19:08:36Z');
    expect(obj.metadata.annotations.someTime).toBe('2026-11-26T19:08:36.5Z');
    expect(obj.spec.renewTime).toBe('2026-11-26T19:08:36.000000Z');
    expect(obj.spec.acquireTime).toBe('2026-11-26T19:08:36.123456Z');
    expect(obj.status.conditions[0].lastTransitionTime).toBe('2026-11-26T19:08:36Z');
  });

  it('should print ages like Go’s HumanDuration', () => {
    expect(humanDuration(45_000)).toBe('45s');
    expect(humanDuration(312_000)).toBe('5m12s');
    expect(humanDuration(3 * 3600_000)).toBe('3h');
    expect(humanDuration(2 * 86400_000)).toBe('2d');
  });
});

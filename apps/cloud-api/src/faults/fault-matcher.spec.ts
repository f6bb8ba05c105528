import { globMatches, inWindow, matchesCall, type FaultCall } from './fault-matcher';
import { draw, latencyOf } from './fault-draw';

const call = (over: Partial<FaultCall> = {}): FaultCall => ({
  operation: 'instances.create',
  method: 'POST',
  resourceType: 'instance',
  projectId: 'default',
  tokenName: 'ccm',
  now: 1000,
  resource: () => ({ name: 'web-1', labels: { team: 'a', tier: 'web' } }),
  ...over,
});

describe('fault matching', () => {
  it('should match globs literally except * and ?', () => {
    expect(globMatches('instances.*', 'instances.create')).toBe(true);
    expect(globMatches('instances.*', 'instancesXcreate')).toBe(false);
    expect(globMatches('i-0?', 'i-01')).toBe(true);
    expect(globMatches('i-0?', 'i-012')).toBe(false);
    expect(globMatches('*.backends.*', 'loadBalancers.backends.add')).toBe(true);
  });

  it('should require every given criterion', () => {
    expect(matchesCall({}, call())).toBe(true);
    expect(matchesCall({ operation: 'instances.*', method: 'POST' }, call())).toBe(true);
    expect(matchesCall({ method: 'GET' }, call())).toBe(false);
    expect(matchesCall({ project: 'p2' }, call())).toBe(false);
    expect(matchesCall({ tokenName: 'ccm', resourceType: 'instance' }, call())).toBe(true);
    expect(matchesCall({ resourceId: 'i-*' }, call())).toBe(false);
    expect(matchesCall({ resourceId: 'i-*' }, call({ resourceId: 'i-1' }))).toBe(true);
    expect(matchesCall({ resourceName: 'web-*', labels: { team: 'a' } }, call())).toBe(true);
    expect(matchesCall({ labels: { team: 'b' } }, call())).toBe(false);
    expect(matchesCall({ labels: { team: 'a' } }, call({ resource: () => undefined }))).toBe(false);
  });

  it('should only look the resource up when a rule asks for name or labels', () => {
    const resource = jest.fn(() => ({ name: 'x' }));
    matchesCall({ operation: 'instances.*' }, call({ resource }));
    matchesCall({ operation: 'volumes.*', labels: { a: 'b' } }, call({ resource }));
    expect(resource).not.toHaveBeenCalled();
  });

  it('should bound windows by from (inclusive) and until (exclusive)', () => {
    const trigger = { from: new Date(1000).toISOString(), until: new Date(2000).toISOString() };
    expect(inWindow(trigger, 999)).toBe(false);
    expect(inWindow(trigger, 1000)).toBe(true);
    expect(inWindow(trigger, 2000)).toBe(false);
  });
});

describe('fault draws', () => {
  it('should be repeatable per seed and call, and spread over [0, 1)', () => {
    expect(draw('s', 1, 'p')).toBe(draw('s', 1, 'p'));
    expect(draw('s', 1, 'p')).not.toBe(draw('s', 2, 'p'));
    const values = Array.from({ length: 1000 }, (_, i) => draw('seed', i, 'p'));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('should sample fixed, uniform and normal latencies', () => {
    expect(latencyOf({ type: 'latency', distribution: 'fixed', ms: 120 }, 's', 1)).toBe(120);
    const uniform = Array.from({ length: 200 }, (_, n) =>
      latencyOf({ type: 'latency', distribution: 'uniform', minMs: 100, maxMs: 200 }, 's', n),
    );
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(200);
    const normal = Array.from({ length: 2000 }, (_, n) =>
      latencyOf({ type: 'latency', distribution: 'normal', meanMs: 300, stddevMs: 50 }, 's', n),
    );
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    expect(mean).toBeGreaterThan(290);
    expect(mean).toBeLessThan(310);
    expect(Math.min(...normal)).toBeGreaterThanOrEqual(0);
  });
});

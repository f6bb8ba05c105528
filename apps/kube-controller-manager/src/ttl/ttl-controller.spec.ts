import { TTL_BOUNDARIES, nextBoundaryStep } from './ttl-controller';

describe('TTL boundaries', () => {
  it('grows with the cluster and shrinks with hysteresis', () => {
    let step = 0;
    const ttlAt = (count: number) =>
      TTL_BOUNDARIES[(step = nextBoundaryStep(step, count))].ttlSeconds;
    expect(ttlAt(3)).toBe(0);
    expect(ttlAt(100)).toBe(0);
    expect(ttlAt(101)).toBe(15);
    expect(ttlAt(95)).toBe(15); // not below 90 yet
    expect(ttlAt(89)).toBe(0);
    expect(ttlAt(1001)).toBe(60);
    expect(ttlAt(20_000)).toBe(600);
  });
});

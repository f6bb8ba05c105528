import { bytesOf, milliCpu, parseQuantity } from './quantity';

describe('resource quantities', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2G', 2e9],
    ['1e3', 1000],
    ['500k', 500_000],
  ])('%s = %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });

  it('converts for the scheduler and the kubelet', () => {
    expect(milliCpu('250m')).toBe(250);
    expect(milliCpu('4')).toBe(4000);
    expect(milliCpu(undefined)).toBe(0);
    expect(bytesOf('100Mi')).toBe(104_857_600);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

import { isQuantity, quantityMilliValue, quantityValue } from './quantity';

describe('quantities', () => {
  it('reads decimal and binary suffixes and exponents, rounding up like Quantity.Value', () => {
    expect(quantityMilliValue('100m')).toBe(100);
    expect(quantityMilliValue('4')).toBe(4000);
    expect(quantityMilliValue('0.5')).toBe(500);
    expect(quantityMilliValue('1.0001')).toBe(1001);
    expect(quantityValue('100m')).toBe(1);
    expect(quantityValue('16369188Ki')).toBe(16_369_188 * 1024);
    expect(quantityValue('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(quantityValue('200Mi')).toBe(200 * 1024 * 1024);
    expect(quantityValue('93478772582')).toBe(93_478_772_582);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('2E6')).toBe(2_000_000);
    expect(quantityValue('1k')).toBe(1000);
    expect(quantityValue('1M')).toBe(1_000_000);
    expect(quantityMilliValue('250u')).toBe(1);
  });

  it('refuses what is no quantity', () => {
    expect(isQuantity('1.5.2')).toBe(false);
    expect(isQuantity('12Kb')).toBe(false);
    expect(quantityValue('lots')).toBeNaN();
    expect(isQuantity('12Ki')).toBe(true);
  });
});

import {
  formatBinaryQuantity,
  gibCeil,
  GiB,
  INT64_MAX,
  InvalidQuantityError,
  quantityMilliValue,
  quantityValue,
  saturateInt64,
} from './quantity';

describe('quantityMilliValue', () => {
  it.each([
    ['100m', 100n],
    ['4', 4000n],
    ['0.5', 500n],
    ['1.0001', 1001n],
    ['250u', 1n],
    ['1e-3', 1n],
  ])('%s is %s thousandths (rounded up like Quantity.MilliValue)', (text, milli) => {
    expect(quantityMilliValue(text)).toBe(milli);
  });
});

describe('quantityValue', () => {
  it.each([
    ['1Gi', 1073741824n],
    ['10Gi', 10n * GiB],
    ['1.5Gi', 1610612736n],
    ['500M', 500_000_000n],
    ['1.5G', 1_500_000_000n],
    ['1e3', 1000n],
    ['2E', 2_000_000_000_000_000_000n],
    ['1Ei', 1024n ** 6n],
    ['100m', 1n],
    ['1500m', 2n],
    ['.5Ki', 512n],
    ['0', 0n],
    ['-1Ki', -1024n],
  ])('%s is %s bytes (rounded up like Quantity.Value)', (text, bytes) => {
    expect(quantityValue(text)).toBe(bytes);
  });

  it.each(['', 'Gi', '1GB', '1.2.3', 'ten', '1 Gi'])('refuses %j', (text) => {
    expect(() => quantityValue(text)).toThrow(InvalidQuantityError);
  });

  it('refuses exponents and digit strings no quantity needs, at once (no huge powers of ten)', () => {
    // Unbounded, `1e50000000` alone took seconds (the test's timeout catches a regression).
    for (const text of ['1e99999999999', '1e5000000', '1e-5000000', `${'9'.repeat(5000)}`]) {
      expect(() => quantityValue(text)).toThrow(InvalidQuantityError);
    }
    expect(quantityValue('1e18')).toBe(10n ** 18n);
  });
});

describe('saturateInt64', () => {
  it("holds values to int64 as Go's Value() does", () => {
    expect(saturateInt64(10n ** 30n)).toBe(INT64_MAX);
    expect(saturateInt64(-(10n ** 30n))).toBe(-INT64_MAX - 1n);
    expect(saturateInt64(42n)).toBe(42n);
  });
});

describe('formatBinaryQuantity', () => {
  it.each([
    [10n * GiB, '10Gi'],
    [1610612736n, '1536Mi'],
    [1024n ** 4n, '1Ti'],
    [500n, '500'],
    [1_000_000_000n, '1000000000'],
    [0n, '0'],
  ])('%s bytes print as %s', (bytes, text) => {
    expect(formatBinaryQuantity(bytes)).toBe(text);
  });

  it('round-trips through quantityValue', () => {
    for (const bytes of [1n, 1023n, 1024n, 4n * GiB, 3n * 1024n ** 5n + 1024n]) {
      expect(quantityValue(formatBinaryQuantity(bytes))).toBe(bytes);
    }
  });
});

describe('gibCeil', () => {
  it('rounds up to whole GiB', () => {
    expect(gibCeil(1n)).toBe(1);
    expect(gibCeil(GiB)).toBe(1);
    expect(gibCeil(GiB + 1n)).toBe(2);
    expect(gibCeil(1_500_000_000n)).toBe(2);
  });
});

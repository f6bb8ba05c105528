/*
 * Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource) for storage sizes:
 * exact parsing into bytes with bigint arithmetic, and the canonical BinarySI spelling that
 * `resource.NewQuantity(bytes, resource.BinarySI).String()` prints (PV capacities).
 */

const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;

export const GiB = 1024n ** 3n;

/** A quantity that is not one (the api-server would have refused it). */
export class InvalidQuantityError extends Error {
  constructor(readonly text: string) {
    super(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${text}"`,
    );
    this.name = 'InvalidQuantityError';
  }
}

/**
 * The quantity as a whole number, rounded up away from zero like `Quantity.Value()`:
 * `1Gi` → 1073741824n, `1.5G` → 1500000000n, `100m` → 1n.
 */
export function quantityValue(text: string): bigint {
  return scaledValue(text, 0);
}

/** Thousandths, rounded up like `Quantity.MilliValue()` (cpu in millicores): `100m` → 100n, `0.5` → 500n. */
export function quantityMilliValue(text: string): bigint {
  return scaledValue(text, 3);
}

/**
 * How far a quantity's digits and exponent may go here: Go keeps big exponents cheap (inf.Dec),
 * bigint powers of ten do not, so `1e99999999` would take seconds of CPU. No real quantity comes
 * near; larger ones are refused as malformed.
 */
const MAX_DIGITS = 1000;
const MAX_EXPONENT = 1000;

/** int64's range, where Go's Quantity.Value() and MilliValue() saturate. */
export const INT64_MAX = 2n ** 63n - 1n;

/** `value` held to int64's range, as Go's Value() and MilliValue() hold their results. */
export function saturateInt64(value: bigint): bigint {
  return value > INT64_MAX ? INT64_MAX : value < -INT64_MAX - 1n ? -INT64_MAX - 1n : value;
}

/** The quantity × 10^`exponent10`, rounded up away from zero. */
function scaledValue(text: string, exponent10: number): bigint {
  const match = QUANTITY.exec(text.trim());
  if (!match || match[2].length > MAX_DIGITS) {
    throw new InvalidQuantityError(text);
  }
  const [, sign, digits, suffix = ''] = match;
  if (/^[eE]/.test(suffix) && Math.abs(Number(suffix.slice(1))) > MAX_EXPONENT) {
    throw new InvalidQuantityError(text);
  }
  const [whole, fraction = ''] = digits.split('.');
  let numerator = BigInt(`${whole || '0'}${fraction}`) * 10n ** BigInt(exponent10);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY_SUFFIXES) {
    numerator *= 1024n ** BigInt(BINARY_SUFFIXES[suffix]);
  } else {
    const exponent =
      suffix in DECIMAL_SUFFIXES ? DECIMAL_SUFFIXES[suffix] : Number(suffix.slice(1));
    if (exponent >= 0) {
      numerator *= 10n ** BigInt(exponent);
    } else {
      denominator *= 10n ** BigInt(-exponent);
    }
  }
  const rounded = (numerator + denominator - 1n) / denominator;
  return sign === '-' ? -rounded : rounded;
}

/** The canonical BinarySI string of a byte count: 10737418240n → `10Gi`, 1536 MiB → `1536Mi`. */
export function formatBinaryQuantity(bytes: bigint): string {
  const negative = bytes < 0n;
  let value = negative ? -bytes : bytes;
  let exponent = 0;
  if (value >= 1024n) {
    while (exponent < 6 && value % 1024n === 0n) {
      value /= 1024n;
      exponent++;
    }
  }
  const suffix = exponent === 0 ? '' : ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][exponent - 1];
  return `${negative ? '-' : ''}${value}${suffix}`;
}

/** Whole GiB holding `bytes` (the cloud's unit): 1 byte → 1, 1Gi → 1, 1Gi + 1 → 2. */
export function gibCeil(bytes: bigint): number {
  return Number((bytes + GiB - 1n) / GiB);
}

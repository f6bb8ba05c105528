/**
 * resource.Quantity (apimachinery) reduced to what components compare: `Value()` and
 * `MilliValue()`, both rounded up like upstream. Exact for the decimal and binary suffixes and
 * exponents Kubernetes accepts (`100m`, `1.5Gi`, `16369188Ki`, `1e3`, `2E6`).
 */
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/** Parsed quantities by text: the same few values ("100m", "128Mi") repeat on every pod. */
const parsed = new Map<string, bigint | undefined>();
const MAX_MEMOISED = 10_000;

/** The quantity in nano-units (10⁻⁹), rounded up; undefined when `text` is no quantity. */
function toNanos(text: string): bigint | undefined {
  if (parsed.has(text)) {
    return parsed.get(text);
  }
  const nanos = parse(text);
  if (parsed.size >= MAX_MEMOISED) {
    parsed.clear();
  }
  parsed.set(text, nanos);
  return nanos;
}

function parse(text: string): bigint | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) {
    return undefined;
  }
  const [, sign, number, suffix, exponent] = m;
  const [whole, fraction = ''] = number.split('.');
  let digits = BigInt(`${whole || '0'}${fraction}`);
  let scale = 9 - fraction.length;
  if (suffix && suffix in BINARY_POWER) {
    digits *= 1024n ** BigInt(BINARY_POWER[suffix]);
  } else if (suffix) {
    scale += DECIMAL_EXPONENT[suffix];
  } else if (exponent) {
    scale += Number(exponent);
  }
  let nanos: bigint;
  if (scale >= 0) {
    nanos = digits * 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    nanos = (digits + divisor - 1n) / divisor;
  }
  return sign === '-' ? -nanos : nanos;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : a / b);

/** True when `text` parses as a Kubernetes quantity. */
export function isQuantity(text: string): boolean {
  return toNanos(text) !== undefined;
}

/** `Quantity.Value()`: whole units rounded up (bytes for memory, cores for cpu); NaN if invalid. */
export function quantityValue(text: string): number {
  const nanos = toNanos(text);
  return nanos === undefined ? NaN : Number(ceilDiv(nanos, 1_000_000_000n));
}

/** `Quantity.MilliValue()`: thousandths rounded up (millicores for cpu); NaN if invalid. */
export function quantityMilliValue(text: string): number {
  const nanos = toNanos(text);
  return nanos === undefined ? NaN : Number(ceilDiv(nanos, 1_000_000n));
}

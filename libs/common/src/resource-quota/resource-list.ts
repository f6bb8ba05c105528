import { InvalidQuantityError, quantityMilliValue } from '@app/csi';

/**
 * One resource.Quantity as quota arithmetic needs it: thousandths, and whether Go would print it
 * in BinarySI (`128Mi`) or DecimalSI (`500m`, `2k`).
 */
export interface QuotaQuantity {
  milli: bigint;
  binary: boolean;
}

/** A corev1.ResourceList of parsed quantities (`pods`, `requests.cpu`, `count/deployments.apps`). */
export type QuotaList = Map<string, QuotaQuantity>;

const ZERO: QuotaQuantity = { milli: 0n, binary: false };

/** Parses a quantity string; undefined when it is not one (validation refuses such objects). */
export function parseQuotaQuantity(text: unknown): QuotaQuantity | undefined {
  if (typeof text === 'number' && Number.isFinite(text)) {
    text = String(text);
  }
  if (typeof text !== 'string') {
    return undefined;
  }
  try {
    return { milli: quantityMilliValue(text), binary: /i$/.test(text.trim()) };
  } catch (err) {
    if (err instanceof InvalidQuantityError) {
      return undefined;
    }
    throw err;
  }
}

/** A ResourceList's JSON (`{"pods": "2", "requests.cpu": "500m"}`) parsed; bad entries left out. */
export function parseQuotaList(json: unknown): QuotaList {
  const list: QuotaList = new Map();
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const [name, text] of Object.entries(json)) {
      const q = parseQuotaQuantity(text);
      if (q) {
        list.set(name, q);
      }
    }
  }
  return list;
}

const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Quantity.String(): the canonical form in the quantity's format (`1536Mi`, `1500m`, `2k`, `0`). */
export function formatQuotaQuantity(q: QuotaQuantity): string {
  const negative = q.milli < 0n;
  const milli = negative ? -q.milli : q.milli;
  const sign = negative ? '-' : '';
  if (milli % 1000n !== 0n) {
    return `${sign}${milli}m`; // fractions print in DecimalSI whatever the format
  }
  let value = milli / 1000n;
  // Go prints binary quantities under 1024 in DecimalSI to avoid rounding.
  const binary = q.binary && value >= 1024n;
  const base = binary ? 1024n : 1000n;
  let exponent = 0;
  while (value !== 0n && exponent < 6 && value % base === 0n) {
    value /= base;
    exponent++;
  }
  return `${sign}${value}${(binary ? BINARY_SUFFIXES : DECIMAL_SUFFIXES)[exponent]}`;
}

/** The list as ResourceList JSON, keys sorted. */
export function quotaListJson(list: QuotaList): Record<string, string> {
  return Object.fromEntries(
    [...list.keys()].sort().map((name) => [name, formatQuotaQuantity(list.get(name)!)]),
  );
}

/** Quantity.Add: a zero quantity takes the format of what is added to it. */
export function addQuantity(a: QuotaQuantity, b: QuotaQuantity): QuotaQuantity {
  return { milli: a.milli + b.milli, binary: a.milli === 0n ? b.binary : a.binary };
}

/** quota.Add: the union, summing the names both lists have. */
export function addLists(a: QuotaList, b: QuotaList): QuotaList {
  const result: QuotaList = new Map(a);
  for (const [name, q] of b) {
    const existing = result.get(name);
    result.set(name, existing ? addQuantity(existing, q) : q);
  }
  return result;
}

/** quota.Max, per name (the init-container rule of PodRequests). */
export function maxInto(target: QuotaList, other: QuotaList): void {
  for (const [name, q] of other) {
    const existing = target.get(name);
    if (!existing || q.milli > existing.milli) {
      target.set(name, q);
    }
  }
}

/** quota.SubtractWithNonNegativeResult. */
export function subtractNonNegative(a: QuotaList, b: QuotaList): QuotaList {
  const result: QuotaList = new Map();
  for (const [name, q] of a) {
    const milli = q.milli - (b.get(name)?.milli ?? 0n);
    result.set(name, { milli: milli < 0n ? 0n : milli, binary: q.binary });
  }
  return result;
}

/** quota.Mask: only the named resources. */
export function maskList(list: QuotaList, names: Iterable<string>): QuotaList {
  const result: QuotaList = new Map();
  for (const name of names) {
    const q = list.get(name);
    if (q) {
      result.set(name, q);
    }
  }
  return result;
}

/** quota.RemoveZeros. */
export function removeZeros(list: QuotaList): QuotaList {
  return new Map([...list].filter(([, q]) => q.milli !== 0n));
}

/** quota.IsNegative: the names whose quantity is below zero. */
export function negativeNames(list: QuotaList): string[] {
  return [...list].filter(([, q]) => q.milli < 0n).map(([name]) => name);
}

/** quota.LessThanOrEqual: the names of `a` above their value in `b` (names `b` lacks pass). */
export function exceededNames(a: QuotaList, b: QuotaList): string[] {
  return [...a]
    .filter(([name, q]) => {
      const limit = b.get(name);
      return limit !== undefined && q.milli > limit.milli;
    })
    .map(([name]) => name);
}

/** quota.Equals: the same names with the same values. */
export function listsEqual(a: QuotaList, b: QuotaList): boolean {
  return a.size === b.size && [...a].every(([name, q]) => b.get(name)?.milli === q.milli);
}

/** The admission plugin's prettyPrint: `name=value` sorted by name, comma-separated. */
export function prettyPrintList(list: QuotaList): string {
  return [...list.keys()]
    .sort()
    .map((name) => `${name}=${formatQuotaQuantity(list.get(name)!)}`)
    .join(',');
}

/** A zero DecimalSI quantity (usage stats start every tracked name at it). */
export const zeroQuantity = (): QuotaQuantity => ({ ...ZERO });

/** A whole count in DecimalSI. */
export const countQuantity = (n: number): QuotaQuantity => ({
  milli: BigInt(n) * 1000n,
  binary: false,
});

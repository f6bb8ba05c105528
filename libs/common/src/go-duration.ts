/** Go's time.ParseDuration and Duration.String (query parameters, metav1.Duration, cron `@every`). */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds of a Go duration string ("300ms", "-1.5h", "2h45m"); throws Go's error texts. */
export function parseGoDurationNs(input: string): number {
  const quoted = JSON.stringify(input);
  const invalid = () => new Error(`time: invalid duration ${quoted}`);
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') {
    return 0;
  }
  if (s === '') {
    throw invalid();
  }
  let total = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const [whole, int, fraction] = number;
    if (int === '' && (fraction ?? '') === '') {
      throw invalid();
    }
    s = s.slice(whole.length);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') {
      throw new Error(`time: missing unit in duration ${quoted}`);
    }
    const size = UNIT_NS[unit];
    if (size === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    }
    s = s.slice(unit.length);
    total += Number(`${int || '0'}.${fraction ?? ''}0`) * size;
  }
  return sign * Math.round(total);
}

/** Go's Duration.String: "1h0m0s", "1.5s", "300ms", "0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) {
    return '0s';
  }
  const sign = ns < 0 ? '-' : '';
  let u = Math.abs(ns);
  if (u < 1e9) {
    const [unit, size] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(u / size)}${unit}`;
  }
  const hours = Math.floor(u / 3600e9);
  u -= hours * 3600e9;
  const minutes = Math.floor(u / 60e9);
  u -= minutes * 60e9;
  const seconds = `${trimFraction(u / 1e9)}s`;
  if (hours > 0) {
    return `${sign}${hours}h${minutes}m${seconds}`;
  }
  if (minutes > 0) {
    return `${sign}${minutes}m${seconds}`;
  }
  return `${sign}${seconds}`;
}

function trimFraction(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
}

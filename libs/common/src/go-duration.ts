/*
 * Go's time.Duration.String(), for event texts that print a duration with `%v` (the route
 * controller's "… after 1.5s: …", the kubelet's "Successfully pulled image … in 1.2s"), so they
 * read exactly like upstream's.
 */

const UNITS: [number, string][] = [
  [1_000_000, 'ms'],
  [1_000, 'µs'],
  [1, 'ns'],
];

/** Formats a duration given in milliseconds (fractions allowed) as Go prints it. */
export function formatGoDuration(ms: number): string {
  const nanos = Math.round(ms * 1_000_000);
  if (nanos === 0) {
    return '0s';
  }
  const sign = nanos < 0 ? '-' : '';
  const abs = Math.abs(nanos);
  if (abs < 1_000_000_000) {
    const [size, unit] = UNITS.find(([s]) => abs >= s) ?? UNITS[UNITS.length - 1];
    return `${sign}${trimFraction(abs, size)}${unit}`;
  }
  let rest = abs;
  const hours = Math.floor(rest / 3_600_000_000_000);
  rest -= hours * 3_600_000_000_000;
  const minutes = Math.floor(rest / 60_000_000_000);
  rest -= minutes * 60_000_000_000;
  const seconds = `${trimFraction(rest, 1_000_000_000)}s`;
  if (hours > 0) {
    return `${sign}${hours}h${minutes}m${seconds}`;
  }
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

/** `value / size` with the fraction's trailing zeros dropped (Go's fmtFrac). */
function trimFraction(value: number, size: number): string {
  const whole = Math.floor(value / size);
  const digits = String(size).length - 1;
  const fraction = String(value - whole * size)
    .padStart(digits, '0')
    .replace(/0+$/, '');
  return fraction.length > 0 && digits > 0 ? `${whole}.${fraction}` : String(whole);
}

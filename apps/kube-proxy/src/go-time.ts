/**
 * Go's time.Time.String() for a UTC instant with a monotonic reading, as kube-proxy's health
 * bodies print times with `%q`: `2025-03-01 10:00:00.123 +0000 UTC m=+612.300000001`.
 */
export function goTimeString(epochMs: number, monotonicSeconds: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fraction = String(d.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '');
  const wall =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    (fraction ? `.${fraction}` : '') +
    ' +0000 UTC';
  const sign = monotonicSeconds < 0 ? '-' : '+';
  const abs = Math.abs(monotonicSeconds);
  const whole = Math.floor(abs);
  const nanos = Math.round((abs - whole) * 1e9);
  return `${wall} m=${sign}${whole}.${String(Math.min(nanos, 999_999_999)).padStart(9, '0')}`;
}

/** metav1.Time on the wire: RFC 3339 with second precision, e.g. `2026-01-01T00:00:00Z`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime on the wire: RFC 3339 with microseconds, e.g. `2026-01-01T00:00:00.000000Z`. */
export function formatMicroTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  return new Date(whole).toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}Z`);
}

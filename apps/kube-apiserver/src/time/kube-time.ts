/** metav1.Time: RFC 3339 with whole seconds, e.g. 2026-11-26T19:08:36Z. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: exactly six fractional digits, e.g. 2026-11-26T19:08:36.123456Z. */
export function formatMicroTime(ms: number, micros = 0): string {
  const base = new Date(Math.floor(ms)).toISOString().slice(0, 19);
  const fraction = Math.floor(ms % 1000) * 1000 + micros;
  return `${base}.${String(fraction).padStart(6, '0')}Z`;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Re-writes an RFC 3339 string as Time (seconds) or MicroTime (six digits); other strings pass. */
export function normalizeTimeString(value: string, micro: boolean): string {
  if (!micro && value.length === 20 && value.endsWith('Z')) {
    return value; // already a Time (what formatTime writes), or no RFC 3339 string at all
  }
  const m = RFC3339.exec(value);
  if (!m) {
    return value;
  }
  if (m[3] !== 'Z') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      return value;
    }
    const fraction = (m[2] ?? '').slice(1).padEnd(6, '0').slice(0, 6);
    const utc = new Date(ms).toISOString().slice(0, 19);
    return micro ? `${utc}.${fraction}Z` : `${utc}Z`;
  }
  if (!micro) {
    return `${m[1]}Z`;
  }
  return `${m[1]}.${(m[2] ?? '.').slice(1).padEnd(6, '0').slice(0, 6)}Z`;
}

const TIME_KEY = /(Time|Timestamp|At)$/;

/** Keys whose values are free-form maps: never rewrite inside them. */
const OPAQUE = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'selector',
  'nodeSelector',
  'capacity',
  'allocatable',
  'parameters',
  'volumeAttributes',
]);

/**
 * Normalises every Time and MicroTime field the way Go would serialise it: keys ending in `Time`,
 * `Timestamp` or `At` (startedAt, finishedAt) hold times; `microKeys` name the MicroTime ones.
 */
export function normalizeTimes(value: unknown, microKeys: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      normalizeTimes(item, microKeys);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'string') {
      if (microKeys.has(key)) {
        record[key] = normalizeTimeString(v, true);
      } else if (TIME_KEY.test(key)) {
        record[key] = normalizeTimeString(v, false);
      }
    } else if (typeof v === 'object' && v !== null && !OPAQUE.has(key)) {
      normalizeTimes(v, microKeys);
    }
  }
}

/** Go's duration.HumanDuration, as kubectl prints AGE (45s, 5m12s, 3h, 2d). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) {
    return '0s';
  }
  if (seconds < 60 * 2) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) {
    return `${minutes}m`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) {
    return `${hours}h`;
  }
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) {
    return `${Math.floor(hours / 24)}d`;
  }
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age of an object for Table cells (`<unknown>` without a timestamp). */
export function age(timestamp: string | null | undefined, nowMs: number): string {
  if (!timestamp) {
    return '<unknown>';
  }
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(nowMs - t);
}

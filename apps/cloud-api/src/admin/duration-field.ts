import { DomainError, invalidArgument, parseDuration } from '@app/common';

/** Longest duration the admin API takes (about 100 years): anything longer is a typo or an attack. */
export const MAX_ADMIN_DURATION_MS = 100 * 365.25 * 86_400_000;

/** A duration from a JSON value: milliseconds as a number, or text such as `30s` / `1m30s`. */
export function durationField(value: unknown, field: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw invalidArgument(
      field,
      'must be a duration: milliseconds, or text such as 500ms, 30s, 5m',
    );
  }
  const ms = parseDuration(value, field);
  if (!(ms <= MAX_ADMIN_DURATION_MS)) {
    throw invalidArgument(field, 'must be at most 100 years (3155760000000 ms)');
  }
  return ms;
}

/** A JSON object of `key → duration`, every key checked against `known`; unknown keys all named. */
export function durationMap(
  body: unknown,
  known: readonly string[],
  what: string,
): Record<string, number> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidArgument('body', `must be a JSON object of ${what} → duration`);
  }
  const entries = Object.entries(body as Record<string, unknown>);
  const unknown = entries.map(([key]) => key).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const description = `unknown ${what}; known: ${known.join(', ')}`;
    throw new DomainError('INVALID_ARGUMENT', `${unknown.join(', ')}: ${description}`, {
      fieldViolations: unknown.map((field) => ({ field, description })),
    });
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, durationField(value, key)]));
}

import { DomainError } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `1500`, `1500ms`, `1.5s`, `30s`, `5m`, `1h`, `1h30m` into milliseconds. */
export function parseDuration(input: string | number, field = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw invalid(field, String(input));
    }
    return input;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text);
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw invalid(field, input);
  }
  return Math.round(total);
}

function invalid(field: string, value: string): DomainError {
  return new DomainError(
    'INVALID_ARGUMENT',
    `${field}: "${value}" is not a duration (e.g. 500ms, 30s, 5m, 1h)`,
    {
      fieldViolations: [{ field, description: 'must be a duration such as 500ms, 30s, 5m or 1h' }],
    },
  );
}

/**
 * Cron schedules as Kubernetes CronJobs read them: github.com/robfig/cron/v3 `ParseStandard`
 * (five fields — minute, hour, day of month, month, day of week — or a descriptor such as
 * `@hourly` / `@every 1h30m`, optionally prefixed by `TZ=`/`CRON_TZ=`). Errors carry robfig's
 * exact messages, which the api-server returns in its 422s.
 */

import { parseGoDurationNs } from './go-duration';

export interface CronFields {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** `*` or `?` in the day fields (robfig's starBit: either day field may then match alone). */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

export type CronSchedule =
  | ({ kind: 'fields'; timeZone?: string } & CronFields)
  | { kind: 'every'; everyMs: number; timeZone?: string };

export class CronParseError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = {
  min: 0,
  max: 6,
  names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
};

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** strconv.Atoi as robfig's mustParseInt reports it. */
function parseIntStrict(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  const num = Number(expr);
  if (!Number.isSafeInteger(num) || Math.abs(num) > 2 ** 63 - 1) {
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  if (num < 0) {
    throw new CronParseError(`negative number (${num}) not allowed: ${expr}`);
  }
  return num;
}

function parseIntOrName(expr: string, bounds: Bounds): number {
  const named = bounds.names?.[expr.toLowerCase()];
  return named ?? parseIntStrict(expr);
}

function parseRange(expr: string, bounds: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], bounds);
    if (lowAndHigh.length === 1) {
      end = start;
    } else if (lowAndHigh.length === 2) {
      end = parseIntOrName(lowAndHigh[1], bounds);
    } else {
      throw new CronParseError(`too many hyphens: ${expr}`);
    }
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseIntStrict(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (single) {
      end = bounds.max;
    }
    if (step > 1) {
      star = false;
    }
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) {
    throw new CronParseError(
      `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`,
    );
  }
  if (end > bounds.max) {
    throw new CronParseError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  }
  if (start > end) {
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  }
  if (step === 0) {
    throw new CronParseError(`step of range should be a positive number: ${expr}`);
  }
  for (let v = start; v <= end; v += step) {
    into.add(v);
  }
  return star;
}

function parseField(field: string, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((e) => e !== '')) {
    star = parseRange(expr, bounds, values) || star;
  }
  return { values, star };
}

/** Go's time.ParseDuration (milliseconds), with its error texts. */
export function parseGoDuration(text: string): number {
  try {
    return parseGoDurationNs(text) / 1e6;
  } catch (error) {
    throw new CronParseError((error as Error).message);
  }
}

/** Whether Intl (and so the schedule computation) knows the IANA zone. */
export function timeZoneExists(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `cron.ParseStandard(spec)`: throws a CronParseError with robfig's message. */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) {
    throw new CronParseError('empty spec string');
  }
  let timeZone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
    if (name !== 'UTC' && name !== 'Local' && !timeZoneExists(name)) {
      throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    }
    timeZone = name;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    const every = '@every ';
    if (spec.startsWith(every)) {
      let everyMs: number;
      try {
        everyMs = parseGoDuration(spec.slice(every.length));
      } catch (error) {
        throw new CronParseError(`failed to parse duration ${spec}: ${(error as Error).message}`);
      }
      return { kind: 'every', everyMs, timeZone };
    }
    const expanded = DESCRIPTORS[spec];
    if (!expanded) {
      throw new CronParseError(`unrecognized descriptor: ${spec}`);
    }
    return { ...parseCronSchedule(expanded), timeZone };
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new CronParseError(
      `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`,
    );
  }
  const minute = parseField(fields[0], MINUTES);
  const hour = parseField(fields[1], HOURS);
  const dom = parseField(fields[2], DOM);
  const month = parseField(fields[3], MONTHS);
  const dow = parseField(fields[4], DOW);
  return {
    kind: 'fields',
    timeZone,
    minute: minute.values,
    hour: hour.values,
    dayOfMonth: dom.values,
    month: month.values,
    dayOfWeek: dow.values,
    dayOfMonthStar: dom.star,
    dayOfWeekStar: dow.star,
  };
}

/**
 * Activation times of a parsed CronSchedule, as robfig/cron v3 computes them
 * (`SpecSchedule.Next`, `ConstantDelaySchedule.Next`): whole minutes in the schedule's time zone
 * (its `TZ=` prefix, else the caller's default — a CronJob's .spec.timeZone — else UTC).
 * Like robfig, a spec that matches nothing within five years yields no time.
 */

import type { CronFields, CronSchedule } from './cron-schedule';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** robfig gives up after five years of searching. */
const SEARCH_LIMIT = 5 * 366 * DAY;
/** Longest jump taken on one UTC offset before rechecking it (zones change offset at most ~twice a year). */
const MAX_JUMP = 7 * DAY;

const formatters = new Map<string, Intl.DateTimeFormat>();

function resolveZone(zone: string | undefined): string {
  if (!zone || zone === 'UTC') {
    return 'UTC';
  }
  if (zone === 'Local') {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  return zone;
}

/** Offset (ms) of wall-clock time in `zone` from UTC at the instant `utc`. */
function offsetAt(zone: string, utc: number): number {
  if (zone === 'UTC') {
    return 0;
  }
  let fmt = formatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, fmt);
  }
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(utc))) {
    if (part.type !== 'literal') {
      p[part.type] = Number(part.value);
    }
  }
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(utc / 1000) * 1000;
}

/** robfig dayMatches: with a `*` day field the other decides alone, else either may match. */
function dayMatches(s: CronFields, d: Date): boolean {
  const dom = s.dayOfMonth.has(d.getUTCDate());
  const dow = s.dayOfWeek.has(d.getUTCDay());
  return s.dayOfMonthStar || s.dayOfWeekStar ? dom && dow : dom || dow;
}

/**
 * The nearest matching wall-clock minute strictly after (dir 1) or before (dir -1) `wall`
 * (wall-clock times are encoded as if they were UTC), or undefined past the search limit.
 */
function nearestWallMatch(s: CronFields, wall: number, dir: 1 | -1): number | undefined {
  let t = wall + dir * MINUTE;
  const limit = wall + dir * SEARCH_LIMIT;
  while (dir > 0 ? t <= limit : t >= limit) {
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth();
    if (!s.month.has(mo + 1)) {
      t = dir > 0 ? Date.UTC(y, mo + 1, 1) : Date.UTC(y, mo, 1) - MINUTE;
    } else if (!dayMatches(s, d)) {
      t = dir > 0 ? Date.UTC(y, mo, d.getUTCDate() + 1) : Date.UTC(y, mo, d.getUTCDate()) - MINUTE;
    } else if (!s.hour.has(d.getUTCHours())) {
      const hourStart = Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours());
      t = dir > 0 ? hourStart + 60 * MINUTE : hourStart - MINUTE;
    } else if (!s.minute.has(d.getUTCMinutes())) {
      t += dir * MINUTE;
    } else {
      return t;
    }
  }
  return undefined;
}

/** The whole minute nearest `from` (exclusive), towards `to`, whose offset differs from `offset`. */
function firstOffsetChange(zone: string, from: number, to: number, offset: number): number {
  let lo = from; // offset unchanged here
  let hi = to; // changed here
  while (Math.abs(hi - lo) > MINUTE) {
    const mid = lo + Math.round((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(zone, mid) === offset) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}

/**
 * Walks UTC minutes from `start` in `dir`, jumping straight to the next wall-clock match while
 * the zone's offset stays the same and stopping on each offset change: so a wall time that DST
 * skips never fires, and one that DST repeats fires at each of its instants.
 */
function walk(s: CronFields, zone: string, start: number, dir: 1 | -1): number | undefined {
  let t = start;
  const limit = start + dir * SEARCH_LIMIT;
  while (dir > 0 ? t <= limit : t >= limit) {
    const offset = offsetAt(zone, t);
    const wall = t + offset;
    const d = new Date(wall);
    if (
      s.month.has(d.getUTCMonth() + 1) &&
      dayMatches(s, d) &&
      s.hour.has(d.getUTCHours()) &&
      s.minute.has(d.getUTCMinutes())
    ) {
      return t;
    }
    const match = nearestWallMatch(s, wall, dir);
    if (match === undefined) {
      return undefined;
    }
    const jump = Math.min(Math.abs(match - wall), MAX_JUMP);
    const target = t + dir * jump;
    t = offsetAt(zone, target) === offset ? target : firstOffsetChange(zone, t, target, offset);
  }
  return undefined;
}

/** robfig ConstantDelaySchedule: at least one second, whole seconds. */
export function everyDelayMs(everyMs: number): number {
  return Math.max(1000, everyMs - (everyMs % 1000));
}

/** The schedule's first activation strictly after `after` (robfig `Schedule.Next`). */
export function nextCronTime(
  schedule: CronSchedule,
  after: number,
  defaultTimeZone?: string,
): number | undefined {
  if (schedule.kind === 'every') {
    return Math.floor(after / 1000) * 1000 + everyDelayMs(schedule.everyMs);
  }
  const zone = resolveZone(schedule.timeZone ?? defaultTimeZone);
  return walk(schedule, zone, Math.floor(after / MINUTE) * MINUTE + MINUTE, 1);
}

/**
 * The schedule's last activation at or before `atOrBefore`. `@every` has no calendar: its
 * activations count from `anchor` (the time the first one was measured from).
 */
export function previousCronTime(
  schedule: CronSchedule,
  atOrBefore: number,
  defaultTimeZone?: string,
  anchor?: number,
): number | undefined {
  if (schedule.kind === 'every') {
    if (anchor === undefined) {
      return undefined;
    }
    const first = nextCronTime(schedule, anchor) as number;
    if (first > atOrBefore) {
      return undefined;
    }
    const delay = everyDelayMs(schedule.everyMs);
    return first + Math.floor((atOrBefore - first) / delay) * delay;
  }
  const zone = resolveZone(schedule.timeZone ?? defaultTimeZone);
  return walk(schedule, zone, Math.floor(atOrBefore / MINUTE) * MINUTE, -1);
}

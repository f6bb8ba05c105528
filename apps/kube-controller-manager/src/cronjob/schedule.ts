import { CronExpressionParser } from 'cron-parser';

/**
 * upstream cronjob utils mostRecentScheduleTime/nextScheduleTime (robfig/cron standard
 * parser: 5 fields and the @hourly-style descriptors) on the cluster clock.
 */
export interface ScheduleTimes {
  /** The latest scheduled time in (since, now], if any. */
  mostRecent?: number;
  /** How many scheduled times were missed since `since` (upstream warns past 100). */
  missed: number;
  /** The first scheduled time after now. */
  next: number;
}

export function scheduleTimes(
  schedule: string,
  timeZone: string | undefined,
  since: number,
  now: number,
): ScheduleTimes {
  const tz = timeZone || 'UTC';
  const expr = CronExpressionParser.parse(schedule, { currentDate: new Date(since), tz });
  let mostRecent: number | undefined;
  let missed = 0;
  for (;;) {
    const t = expr.next().getTime();
    if (t > now) {
      return { mostRecent, missed, next: t };
    }
    mostRecent = t;
    missed++;
    if (missed > 100) {
      // Too many to walk: jump to the last one before now.
      const from = CronExpressionParser.parse(schedule, { currentDate: new Date(now), tz });
      const last = from.prev().getTime();
      return { mostRecent: last, missed, next: from.next().getTime() };
    }
  }
}

/** Throws a readable error for a schedule the parser refuses. */
export function validSchedule(schedule: string, timeZone?: string): string | undefined {
  try {
    CronExpressionParser.parse(schedule, { tz: timeZone || 'UTC' });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** upstream getTimeHashInMinutes: the Job name suffix. */
export const jobNameOf = (cronJob: string, scheduled: number) =>
  `${cronJob}-${Math.floor(scheduled / 60_000)}`;

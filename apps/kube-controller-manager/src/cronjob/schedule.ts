import { CronSchedule, nextCronTime, parseCronSchedule, previousCronTime } from '@app/common';

/**
 * upstream cronjob utils mostRecentScheduleTime/nextScheduleTime on the cluster clock, over the
 * very parser the api-server validates with (robfig/cron ParseStandard: 5 fields, descriptors,
 * `@every`, `TZ=`/`CRON_TZ=`), so every schedule the api-server accepts can run.
 */
export interface ScheduleTimes {
  /** The latest scheduled time in (since, now], if any. */
  mostRecent?: number;
  /** How many scheduled times were missed since `since` (upstream warns past 100). */
  missed: number;
  /** The first scheduled time after now (none: the spec matches nothing, like Feb 30). */
  next?: number;
}

export function scheduleTimes(
  schedule: string,
  timeZone: string | undefined,
  since: number,
  now: number,
): ScheduleTimes {
  const parsed: CronSchedule = parseCronSchedule(schedule);
  let mostRecent: number | undefined;
  let missed = 0;
  for (let t = nextCronTime(parsed, since, timeZone); t !== undefined;) {
    if (t > now) {
      return { mostRecent, missed, next: t };
    }
    mostRecent = t;
    missed++;
    if (missed > 100) {
      // Too many to walk: jump to the last one at or before now.
      const last = previousCronTime(parsed, now, timeZone, since);
      return { mostRecent: last, missed, next: nextCronTime(parsed, last ?? now, timeZone) };
    }
    t = nextCronTime(parsed, t, timeZone);
  }
  return { mostRecent, missed, next: undefined };
}

/** robfig's error text for a schedule the parser refuses, else undefined. */
export function validSchedule(schedule: string): string | undefined {
  try {
    parseCronSchedule(schedule);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** upstream getTimeHashInMinutes: the Job name suffix. */
export const jobNameOf = (cronJob: string, scheduled: number) =>
  `${cronJob}-${Math.floor(scheduled / 60_000)}`;

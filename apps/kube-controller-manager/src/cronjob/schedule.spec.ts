import { jobNameOf, scheduleTimes, validSchedule } from './schedule';

const at = (s: string) => Date.parse(s);

describe('CronJob schedule times (cluster clock)', () => {
  it('finds the most recent missed time and the next one', () => {
    const t = scheduleTimes(
      '*/5 * * * *',
      undefined,
      at('2026-01-01T00:01:00Z'),
      at('2026-01-01T00:12:00Z'),
    );
    expect(t).toEqual({
      mostRecent: at('2026-01-01T00:10:00Z'),
      missed: 2,
      next: at('2026-01-01T00:15:00Z'),
    });
    const none = scheduleTimes(
      '@hourly',
      undefined,
      at('2026-01-01T00:01:00Z'),
      at('2026-01-01T00:59:00Z'),
    );
    expect(none).toEqual({ mostRecent: undefined, missed: 0, next: at('2026-01-01T01:00:00Z') });
  });

  it('honours spec.timeZone', () => {
    const t = scheduleTimes(
      '0 9 * * *',
      'Europe/Berlin',
      at('2026-01-01T00:00:00Z'),
      at('2026-01-01T12:00:00Z'),
    );
    expect(t.mostRecent).toBe(at('2026-01-01T08:00:00Z'));
  });

  it('runs every schedule the api-server accepts: @every and a TZ= prefix', () => {
    const every = scheduleTimes(
      '@every 5m',
      undefined,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-01T00:12:00Z'),
    );
    expect(every).toEqual({
      mostRecent: at('2026-01-01T00:10:00Z'),
      missed: 2,
      next: at('2026-01-01T00:15:00Z'),
    });
    const tz = scheduleTimes(
      'TZ=Asia/Tokyo 0 9 * * *',
      undefined,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-01T12:00:00Z'),
    );
    expect(tz).toEqual({ mostRecent: undefined, missed: 0, next: at('2026-01-02T00:00:00Z') });
    expect(validSchedule('TZ=Asia/Tokyo @every 1h30m')).toBeUndefined();
  });

  it('has no next time for a spec that never matches', () => {
    expect(scheduleTimes('0 0 30 2 *', undefined, 0, at('2026-01-01T00:00:00Z'))).toEqual({
      mostRecent: undefined,
      missed: 0,
      next: undefined,
    });
  });

  it('jumps over more than 100 missed times', () => {
    const t = scheduleTimes(
      '* * * * *',
      undefined,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-02T00:00:30Z'),
    );
    expect(t.mostRecent).toBe(at('2026-01-02T00:00:00Z'));
    expect(t.missed).toBeGreaterThan(100);
    expect(t.next).toBe(at('2026-01-02T00:01:00Z'));
    const every = scheduleTimes(
      '@every 7m',
      undefined,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-02T00:00:30Z'),
    );
    // 1440 + 0.5 minutes: the 205th activation (1435 min) is the last one before now.
    expect(every.mostRecent).toBe(at('2026-01-01T00:00:00Z') + 1435 * 60_000);
    expect(every.next).toBe(at('2026-01-01T00:00:00Z') + 1442 * 60_000);
  });

  it('names Jobs by minutes since the epoch and reports bad schedules', () => {
    expect(jobNameOf('tick', at('2026-01-01T00:10:00Z'))).toBe(
      `tick-${at('2026-01-01T00:10:00Z') / 60_000}`,
    );
    expect(validSchedule('61 * * * *')).toBe('end of range (61) above maximum (59): 61');
    expect(validSchedule('*/1 * * * *')).toBeUndefined();
  });
});

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

  it('jumps over more than 100 missed times', () => {
    const t = scheduleTimes(
      '* * * * *',
      undefined,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-02T00:00:30Z'),
    );
    expect(t.mostRecent).toBe(at('2026-01-02T00:00:00Z'));
    expect(t.missed).toBeGreaterThan(100);
  });

  it('names Jobs by minutes since the epoch and reports bad schedules', () => {
    expect(jobNameOf('tick', at('2026-01-01T00:10:00Z'))).toBe(
      `tick-${at('2026-01-01T00:10:00Z') / 60_000}`,
    );
    expect(validSchedule('61 * * * *')).toBeDefined();
    expect(validSchedule('*/1 * * * *')).toBeUndefined();
  });
});

import fc from 'fast-check';
import { nextCronTime, previousCronTime } from './cron-next';
import { parseCronSchedule } from './cron-schedule';

const at = (s: string) => Date.parse(s);

/** How far the reference walks before concluding the answer lies further away. */
const HORIZON = 40 * 24 * 60;

/** Reference: step UTC minutes one by one and read the wall clock of each (undefined past HORIZON). */
function bruteForce(spec: string, zone: string, from: number, dir: 1 | -1): number | undefined {
  const s = parseCronSchedule(spec);
  if (s.kind !== 'fields') {
    throw new Error('fields only');
  }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
  });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const minute = Math.floor(from / 60_000) * 60_000;
  let t = dir > 0 ? minute + 60_000 : minute;
  for (let i = 0; i < HORIZON; i++, t += dir * 60_000) {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const dom = s.dayOfMonth.has(Number(p.day));
    const dow = s.dayOfWeek.has(days.indexOf(p.weekday));
    const day = s.dayOfMonthStar || s.dayOfWeekStar ? dom && dow : dom || dow;
    if (
      s.month.has(Number(p.month)) &&
      day &&
      s.hour.has(Number(p.hour)) &&
      s.minute.has(Number(p.minute))
    ) {
      return t;
    }
  }
  return undefined;
}

// Specs dense enough that brute force finds a match within days, with ranges, steps, lists, stars.
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 20 }))
      .map(([a, s]) => `${a}/${s}`),
    fc
      .uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 })
      .map((v) => v.join(',')),
  );
const spec = fc
  .tuple(
    field(0, 59),
    field(0, 23),
    fc.oneof(fc.constant('*'), fc.constant('?'), field(1, 28)),
    fc.oneof(fc.constant('*'), fc.constant('*'), field(1, 12)),
    fc.oneof(fc.constant('*'), field(0, 6)),
  )
  .map((f) => f.join(' '));
// 2025-2027 with sub-minute offsets, half of them within days of a New York DST change.
const near = (iso: string) =>
  fc.integer({ min: at(iso) - 3 * 86_400_000, max: at(iso) + 86_400_000 });
const instant = fc.oneof(
  fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }),
  near('2026-03-08T07:00:00Z'),
  near('2026-11-01T06:00:00Z'),
);

describe('nextCronTime / previousCronTime (robfig SpecSchedule semantics)', () => {
  for (const zone of ['UTC', 'America/New_York']) {
    it(`agrees with minute-by-minute stepping in ${zone}`, () => {
      fc.assert(
        fc.property(spec, instant, fc.constantFrom<1 | -1>(1, -1), (s, from, dir) => {
          const parsed = parseCronSchedule(s);
          const got =
            dir > 0 ? nextCronTime(parsed, from, zone) : previousCronTime(parsed, from, zone);
          const expected = bruteForce(s, zone, from, dir);
          if (expected !== undefined) {
            expect(got).toBe(expected);
          } else {
            // Beyond the reference's horizon (or never): it must not be within it.
            expect(got === undefined || Math.abs(got - from) >= HORIZON * 60_000).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('skips a wall time DST removes and fires on both instants of one it repeats', () => {
    const ny = parseCronSchedule('TZ=America/New_York 30 2 * * *');
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 happens on the 9th next.
    expect(nextCronTime(ny, at('2026-03-08T06:00:00Z'))).toBe(at('2026-03-09T06:30:00Z'));
    const repeated = parseCronSchedule('TZ=America/New_York 30 1 * * *');
    // 2026-11-01: 01:30 EDT (05:30Z), then 01:30 EST (06:30Z).
    const first = nextCronTime(repeated, at('2026-11-01T05:00:00Z'));
    expect(first).toBe(at('2026-11-01T05:30:00Z'));
    expect(nextCronTime(repeated, first!)).toBe(at('2026-11-01T06:30:00Z'));
  });

  it('reads TZ= before the default zone, and the default before UTC', () => {
    const paris = parseCronSchedule('TZ=Europe/Paris 0 9 * * *');
    expect(nextCronTime(paris, at('2026-01-01T00:00:00Z'), 'Asia/Tokyo')).toBe(
      at('2026-01-01T08:00:00Z'),
    );
    const plain = parseCronSchedule('0 9 * * *');
    expect(nextCronTime(plain, at('2026-01-01T00:00:00Z'), 'Asia/Tokyo')).toBe(
      at('2026-01-02T00:00:00Z'),
    );
    expect(nextCronTime(plain, at('2026-01-01T00:00:00Z'))).toBe(at('2026-01-01T09:00:00Z'));
  });

  it('expands descriptors and applies the day-field star rule', () => {
    expect(nextCronTime(parseCronSchedule('@monthly'), at('2026-01-15T10:00:00Z'))).toBe(
      at('2026-02-01T00:00:00Z'),
    );
    expect(nextCronTime(parseCronSchedule('@weekly'), at('2026-01-01T00:00:00Z'))).toBe(
      at('2026-01-04T00:00:00Z'), // the first Sunday
    );
    // Neither day field is a star: the 13th OR a Friday.
    expect(nextCronTime(parseCronSchedule('0 0 13 * 5'), at('2026-01-01T00:00:00Z'))).toBe(
      at('2026-01-02T00:00:00Z'),
    );
    // A star day of week: the day of month alone decides.
    expect(nextCronTime(parseCronSchedule('0 0 13 * *'), at('2026-01-01T00:00:00Z'))).toBe(
      at('2026-01-13T00:00:00Z'),
    );
  });

  it('runs @every as a fixed delay from the reference time, in whole seconds', () => {
    const every = parseCronSchedule('@every 5m');
    expect(nextCronTime(every, at('2026-01-01T00:00:07.250Z'))).toBe(at('2026-01-01T00:05:07Z'));
    expect(nextCronTime(parseCronSchedule('@every 1500ms'), 0)).toBe(1000);
    expect(nextCronTime(parseCronSchedule('@every 10ms'), 0)).toBe(1000);
    expect(
      previousCronTime(every, at('2026-01-01T00:21:00Z'), undefined, at('2026-01-01T00:00:00Z')),
    ).toBe(at('2026-01-01T00:20:00Z'));
  });

  it('gives up on a spec that never matches, like robfig', () => {
    expect(nextCronTime(parseCronSchedule('0 0 30 2 *'), at('2026-01-01T00:00:00Z'))).toBe(
      undefined,
    );
  });
});

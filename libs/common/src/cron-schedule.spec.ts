import { CronParseError, parseCronSchedule, parseGoDuration } from './cron-schedule';

const errorOf = (spec: string): string => {
  try {
    parseCronSchedule(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(CronParseError);
    return (error as Error).message;
  }
  throw new Error(`${spec} parsed`);
};

describe('parseCronSchedule (robfig/cron ParseStandard)', () => {
  it('should expand the five fields with ranges, steps, lists and names', () => {
    const s = parseCronSchedule('*/15 9-17 1,15 jan-mar MON-fri');
    expect(s.kind).toBe('fields');
    if (s.kind !== 'fields') {
      return;
    }
    expect([...s.minute]).toEqual([0, 15, 30, 45]);
    expect([...s.hour]).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect([...s.dayOfMonth]).toEqual([1, 15]);
    expect([...s.month]).toEqual([1, 2, 3]);
    expect([...s.dayOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(s.dayOfMonthStar).toBe(false);
  });

  it('should read "N/step" as N through the maximum and mark stars', () => {
    const s = parseCronSchedule('5/20 * ? * *');
    expect(s.kind === 'fields' && [...s.minute]).toEqual([5, 25, 45]);
    expect(s.kind === 'fields' && s.dayOfMonthStar && s.dayOfWeekStar).toBe(true);
  });

  it('should accept the descriptors, @every and a TZ prefix', () => {
    expect(parseCronSchedule('@hourly')).toMatchObject({ kind: 'fields' });
    const daily = parseCronSchedule('@midnight');
    expect(daily.kind === 'fields' && [...daily.hour]).toEqual([0]);
    expect(parseCronSchedule('@every 1h30m')).toEqual({
      kind: 'every',
      everyMs: 5_400_000,
      timeZone: undefined,
    });
    expect(parseCronSchedule('CRON_TZ=Europe/Paris 0 3 * * *').timeZone).toBe('Europe/Paris');
  });

  it('should reject bad specs with robfig messages', () => {
    expect(errorOf('')).toBe('empty spec string');
    expect(errorOf('* * *')).toBe('expected exactly 5 fields, found 3: [* * *]');
    expect(errorOf('61 * * * *')).toBe('end of range (61) above maximum (59): 61');
    expect(errorOf('* * 0 * *')).toBe('beginning of range (0) below minimum (1): 0');
    expect(errorOf('* 5-2 * * *')).toBe('beginning of range (5) beyond end of range (2): 5-2');
    expect(errorOf('*/0 * * * *')).toBe('step of range should be a positive number: */0');
    expect(errorOf('x * * * *')).toBe(
      'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
    );
    expect(errorOf('1-2-3 * * * *')).toBe('too many hyphens: 1-2-3');
    expect(errorOf('* * * * 7')).toBe('end of range (7) above maximum (6): 7');
    expect(errorOf('@fortnightly')).toBe('unrecognized descriptor: @fortnightly');
    expect(errorOf('@every 5')).toBe(
      'failed to parse duration @every 5: time: missing unit in duration "5"',
    );
    expect(errorOf('TZ=Mars/Olympus * * * * *')).toBe(
      'provided bad location Mars/Olympus: unknown time zone Mars/Olympus',
    );
  });
});

describe('parseGoDuration', () => {
  it('should read Go durations and reject unknown units', () => {
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('2h45m')).toBe(9_900_000);
    expect(() => parseGoDuration('3d')).toThrow('time: unknown unit "d" in duration "3d"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
  });
});

import { formatGoDuration, parseGoDurationNs } from './go-duration';

describe('Go durations', () => {
  it('should parse and print Go durations', () => {
    expect(parseGoDurationNs('1h30m')).toBe(5400e9);
    expect(parseGoDurationNs('-1.5s')).toBe(-1.5e9);
    expect(parseGoDurationNs('1.5µs')).toBe(1500);
    expect(() => parseGoDurationNs('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDurationNs('.')).toThrow('time: invalid duration "."');
    expect(formatGoDuration(3600e9)).toBe('1h0m0s');
    expect(formatGoDuration(1.5e9)).toBe('1.5s');
    expect(formatGoDuration(300e6)).toBe('300ms');
    expect(formatGoDuration(0)).toBe('0s');
  });
});

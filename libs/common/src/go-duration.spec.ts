import { formatGoDuration } from './go-duration';

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [0.000001, '1ns'],
    [0.0015, '1.5µs'],
    [1.234567, '1.234567ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [-2_000, '-2s'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

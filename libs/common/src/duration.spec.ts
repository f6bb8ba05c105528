import { DomainError } from './errors';
import { parseDuration } from './duration';
import { thrownBy } from '@app/testing';

describe('parseDuration', () => {
  it.each([
    ['1500', 1500],
    ['1500ms', 1500],
    ['1.5s', 1500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
  ])('should parse %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5x', '1h 30m', '-5s'])('should reject %p naming the field', (text) => {
    const error = thrownBy(() => parseDuration(text, 'advance'));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).fieldViolations?.[0].field).toBe('advance');
  });
});

import { LabelSelectorSyntaxError, parseLabelSelector } from './label-selector';

describe('parseLabelSelector', () => {
  const match = (selector: string, labels: Record<string, string>) =>
    parseLabelSelector(selector)!(labels);

  it('should match equality, inequality and existence', () => {
    expect(match('app=web', { app: 'web' })).toBe(true);
    expect(match('app==web', { app: 'db' })).toBe(false);
    expect(match('app!=web', {})).toBe(true);
    expect(match('app', { app: '' })).toBe(true);
    expect(match('!app', { app: 'x' })).toBe(false);
  });

  it('should match set-based requirements joined by commas', () => {
    expect(match('app in (a, b),tier notin (db)', { app: 'b', tier: 'web' })).toBe(true);
    expect(match('app in (a,b)', { app: 'c' })).toBe(false);
    expect(match('tier notin (db)', {})).toBe(true);
  });

  it('should reject malformed selectors', () => {
    expect(() => parseLabelSelector('app=web,=x')).toThrow(LabelSelectorSyntaxError);
    expect(() => parseLabelSelector('bad key=1')).toThrow(/unable to parse requirement/);
  });

  it('should treat an empty selector as no selector', () => {
    expect(parseLabelSelector('')).toBeUndefined();
  });
});

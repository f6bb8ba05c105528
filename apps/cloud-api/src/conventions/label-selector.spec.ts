import { DomainError } from '@app/common';
import { matchesLabelSelector, parseLabelSelector } from './label-selector';
import { thrownBy } from '@app/testing';

const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
const match = (selector: string) => matchesLabelSelector(parseLabelSelector(selector), labels);

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['app in (db,web)', true],
    ['app notin (db,web)', false],
    ['tier', true],
    ['!tier', false],
    ['missing', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=', false],
    ['example.com/team=a,app=web', true],
    ['app=web,tier=back', false],
    [' app = web , tier in ( front ) ', true],
  ])('should evaluate %p as %p', (selector, expected) => {
    expect(match(selector)).toBe(expected);
  });

  it.each(['app in (web', '=web', 'app==web==x', 'bad key=1', 'app in web', 'app=bad value'])(
    'should reject %p as INVALID_ARGUMENT naming labelSelector',
    (selector) => {
      const error = thrownBy(() => parseLabelSelector(selector));
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).fieldViolations?.[0].field).toBe('labelSelector');
    },
  );
});

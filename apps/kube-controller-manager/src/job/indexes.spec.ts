import type { PodObject } from '@app/kube-client';
import { OrderedIntervals, firstPendingIndexes, generateNameWithIndex } from './indexes';

const indexed = (ix: number): PodObject => ({
  metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(ix) } },
});

describe('completion index ranges (upstream orderedIntervals)', () => {
  it('prints ranges of three or more with a dash and pairs with a comma', () => {
    expect(new OrderedIntervals().with([0, 1, 2, 4, 6, 7]).toString()).toBe('0-2,4,6,7');
    expect(new OrderedIntervals().with([]).toString()).toBe('');
  });

  it('parses what it prints, merges adjacent ranges and clips at completions', () => {
    const parsed = OrderedIntervals.parse('0-2,3,5,7-12,20', 10);
    expect(parsed.intervals).toEqual([
      { first: 0, last: 3 },
      { first: 5, last: 5 },
      { first: 7, last: 9 },
    ]);
    expect(parsed.total()).toBe(8);
    expect(parsed.has(5)).toBe(true);
    expect(parsed.has(6)).toBe(false);
    expect(OrderedIntervals.parse('x,1-y,4', 10).toString()).toBe('4');
  });

  it('adds indexes and unions ranges without double counting', () => {
    const a = OrderedIntervals.parse('1-3,8', 20);
    expect(a.with([0, 4, 9, 3]).toString()).toBe('0-4,8,9');
    expect(a.union(OrderedIntervals.parse('2-6,10', 20)).toString()).toBe('1-6,8,10');
  });

  it('finds the lowest indexes neither running nor done', () => {
    const done = OrderedIntervals.parse('0,2', 6);
    expect(firstPendingIndexes([indexed(1), indexed(4)], done, 10, 6)).toEqual([3, 5]);
    expect(firstPendingIndexes([], done, 1, 6)).toEqual([1]);
    expect(firstPendingIndexes([], new OrderedIntervals(), 0, 6)).toEqual([]);
  });

  it('names pods <job>-<index>- within the generated-name limit', () => {
    expect(generateNameWithIndex('sample', 3)).toBe('sample-3-');
    const long = generateNameWithIndex('j'.repeat(70), 12);
    expect(long).toHaveLength(58);
    expect(long.endsWith('-12-')).toBe(true);
  });
});

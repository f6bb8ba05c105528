import { RevisionHistory } from './revision-history';
import type { Revision } from './revision';

const rev = (rv: number, createdAt = 0): Revision => ({
  rv,
  type: 'ADDED',
  typeKey: '/pods',
  namespace: 'default',
  name: `p${rv}`,
  createdAt,
  json: '{}',
});

describe('RevisionHistory', () => {
  it('should return revisions after a version', () => {
    const h = new RevisionHistory();
    [1, 2, 3, 4].forEach((rv) => h.append(rev(rv)));
    expect(h.since(2)?.map((r) => r.rv)).toEqual([3, 4]);
    expect(h.since(4)).toEqual([]);
  });

  it('should keep the newest revisions and recent ones when compacting', () => {
    const h = new RevisionHistory();
    [1, 2, 3, 4, 5].forEach((rv) => h.append(rev(rv, rv * 1000)));
    expect(h.compact(2, 2500, 100)).toBe(2);
    expect(h.since(1)).toBeUndefined();
    expect(h.since(2)?.map((r) => r.rv)).toEqual([3, 4, 5]);
    expect(h.compact(2, 10_000, 100)).toBe(3);
  });

  it('should forget everything on a forced compaction', () => {
    const h = new RevisionHistory();
    [1, 2].forEach((rv) => h.append(rev(rv)));
    h.compactTo(2);
    expect(h.since(1)).toBeUndefined();
    expect(h.since(2)).toEqual([]);
  });
});

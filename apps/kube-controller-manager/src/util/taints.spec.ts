import { minTolerationMs } from '../tainteviction/taint-eviction-controller';
import { matchingTolerations, toleratesTaint } from './taints';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

describe('tolerations', () => {
  it('matches like Toleration.ToleratesTaint', () => {
    expect(
      toleratesTaint(
        { key: unreachable.key, operator: 'Exists', effect: 'NoExecute' },
        unreachable,
      ),
    ).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, unreachable)).toBe(true);
    expect(
      toleratesTaint(
        { key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' },
        unreachable,
      ),
    ).toBe(false);
    expect(
      toleratesTaint({ key: 'a', value: 'b' }, { key: 'a', value: 'b', effect: 'NoSchedule' }),
    ).toBe(true);
    expect(
      toleratesTaint(
        { key: 'a', operator: 'Equal', value: 'c' },
        { key: 'a', value: 'b', effect: 'NoSchedule' },
      ),
    ).toBe(false);
  });

  it('reports whether all taints are tolerated and the shortest toleration (getMinTolerationTime)', () => {
    const tolerations = [
      { key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'x', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
    ];
    const both = matchingTolerations([unreachable, { key: 'x', effect: 'NoExecute' }], tolerations);
    expect(both.allTolerated).toBe(true);
    expect(minTolerationMs(both.used)).toBe(60_000);
    expect(matchingTolerations([{ key: 'y', effect: 'NoExecute' }], tolerations).allTolerated).toBe(
      false,
    );
    expect(minTolerationMs([{ key: 'x', operator: 'Exists' }])).toBe(-1);
    expect(minTolerationMs([{ key: 'x', tolerationSeconds: 0 }])).toBe(0);
    expect(minTolerationMs([])).toBe(0);
  });
});

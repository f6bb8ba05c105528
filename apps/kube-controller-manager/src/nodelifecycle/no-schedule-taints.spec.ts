import type { NodeObject } from '@app/kube-client';
import { noScheduleTaintDiff } from './no-schedule-taints';

const nodeWith = (
  conditions: [string, string][],
  taints: { key: string; effect: string }[] = [],
  unschedulable = false,
): NodeObject => ({
  metadata: { name: 'n' },
  spec: { taints, unschedulable },
  status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
});

describe('NoSchedule tainting pass', () => {
  it('taints from conditions and cordoning', () => {
    const diff = noScheduleTaintDiff(
      nodeWith(
        [
          ['Ready', 'Unknown'],
          ['MemoryPressure', 'True'],
          ['NetworkUnavailable', 'False'],
        ],
        [],
        true,
      ),
    );
    expect(diff.add.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(diff.remove).toEqual([]);
  });

  it('swaps not-ready for unreachable and leaves foreign and NoExecute taints alone', () => {
    const diff = noScheduleTaintDiff(
      nodeWith(
        [['Ready', 'False']],
        [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
          { key: 'dedicated', effect: 'NoSchedule' },
        ],
      ),
    );
    expect(diff.add.map((t) => t.key)).toEqual(['node.kubernetes.io/not-ready']);
    expect(diff.remove).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
    expect(noScheduleTaintDiff(nodeWith([['Ready', 'True']]))).toEqual({ add: [], remove: [] });
  });
});

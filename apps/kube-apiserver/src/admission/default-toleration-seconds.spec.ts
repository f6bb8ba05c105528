import type { KubeObject } from '../object/types';
import { admitDefaultTolerationSeconds } from './default-toleration-seconds';

const options = { notReadySeconds: 300, unreachableSeconds: 120 };
const pod = (tolerations?: unknown[]): KubeObject => ({
  metadata: { name: 'p' },
  spec: { containers: [], ...(tolerations ? { tolerations } : {}) },
});

describe('DefaultTolerationSeconds admission', () => {
  it('adds the not-ready and unreachable NoExecute tolerations with their seconds', () => {
    const p = pod([{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]);
    admitDefaultTolerationSeconds(p, options);
    expect((p.spec as { tolerations: unknown[] }).tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 120,
      },
    ]);
  });

  it('adds none that the pod already tolerates (own key, empty key, or empty effect)', () => {
    const own = pod([
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
    admitDefaultTolerationSeconds(own, options);
    expect((own.spec as { tolerations: { key: string }[] }).tolerations.map((t) => t.key)).toEqual([
      'node.kubernetes.io/unreachable',
      'node.kubernetes.io/not-ready',
    ]);
    const everything = pod([{ operator: 'Exists' }]);
    admitDefaultTolerationSeconds(everything, options);
    expect((everything.spec as { tolerations: unknown[] }).tolerations).toEqual([
      { operator: 'Exists' },
    ]);
    const anyEffect = pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }]);
    admitDefaultTolerationSeconds(anyEffect, options);
    expect((anyEffect.spec as { tolerations: unknown[] }).tolerations).toHaveLength(2);
    const noExecuteOnly = pod([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    admitDefaultTolerationSeconds(noExecuteOnly, options);
    expect((noExecuteOnly.spec as { tolerations: unknown[] }).tolerations).toHaveLength(3);
  });
});

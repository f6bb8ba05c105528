import type { KubeObject } from '../object/types';
import { formatCpu, podUsage } from './simulated-usage';

const pod = (annotations: Record<string, string>, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name: 'p', annotations },
  spec,
});

describe('podUsage', () => {
  it('splits the annotated usage over the containers and sidecars, the remainder to the first', () => {
    const usage = podUsage(
      pod(
        { 'sim.nimbus.dev/cpu-usage': '1', 'sim.nimbus.dev/memory-usage': '3Mi' },
        {
          containers: [{ name: 'app' }, { name: 'helper' }],
          initContainers: [{ name: 'init' }, { name: 'proxy', restartPolicy: 'Always' }],
        },
      ),
    );
    expect(usage.map((c) => [c.name, formatCpu(c.cpuNanocores), c.memoryBytes])).toEqual([
      ['app', '333333334n', 1048576n],
      ['helper', '333333333n', 1048576n],
      ['proxy', '333333333n', 1048576n],
    ]);
  });

  it.each(['-1', 'lots', '1e99999999999', '1e30', '9'.repeat(5000)])(
    'an annotation %j it cannot use leaves the idle usage (and never throws)',
    (value) => {
      const [c] = podUsage(
        pod({ 'sim.nimbus.dev/cpu-usage': value }, { containers: [{ name: 'app' }] }),
      );
      expect(formatCpu(c.cpuNanocores)).toBe('1m');
    },
  );
});

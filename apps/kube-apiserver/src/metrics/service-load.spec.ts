import type { KubeObject } from '../object/types';
import type { TypedStore } from '../storage/typed-store';
import { serviceLoads } from './service-load';
import { formatCpu, podUsage } from './simulated-usage';

/** A store answering `list` from fixed objects (all the load calculation reads). */
const storeOf = (objects: KubeObject[]): TypedStore =>
  ({
    list: (namespace?: string) =>
      objects
        .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
        .map((object) => ({ object })),
  }) as unknown as TypedStore;

const pod = (
  name: string,
  labels: Record<string, string>,
  ready = true,
  namespace = 'shop',
): KubeObject => ({
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app' }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});
const service = (
  name: string,
  selector: Record<string, string>,
  annotations: Record<string, string>,
): KubeObject => ({
  metadata: { name, namespace: 'shop', annotations },
  spec: { selector },
});

describe('serviceLoads', () => {
  const pods = storeOf([
    pod('web-1', { app: 'web' }),
    pod('web-2', { app: 'web' }),
    pod('web-3', { app: 'web' }, false),
    pod('api-1', { app: 'api' }),
    pod('web-x', { app: 'web' }, true, 'other'),
  ]);

  it('spreads a Service load over its ready pods, and sums the Services a pod serves', () => {
    const loads = serviceLoads(
      storeOf([
        service(
          'web',
          { app: 'web' },
          { 'sim.nimbus.dev/cpu-load': '601m', 'sim.nimbus.dev/memory-load': '100Mi' },
        ),
        service('all', { app: 'web' }, { 'sim.nimbus.dev/cpu-load': '100m' }),
        service('quiet', { app: 'api' }, {}),
        service('manual', {}, { 'sim.nimbus.dev/cpu-load': '1' }),
      ]),
      pods,
      'shop',
    );
    expect([...loads.keys()].sort()).toEqual(['shop/web-1', 'shop/web-2']);
    expect(formatCpu(loads.get('shop/web-1')!.cpuNanocores)).toBe('350500u');
    expect(formatCpu(loads.get('shop/web-2')!.cpuNanocores)).toBe('350500u');
    expect(loads.get('shop/web-2')!.memoryBytes).toBe(50n * 1024n * 1024n);
    // Added to the pod's own (here idle) usage.
    const [c] = podUsage(pods.list('shop')[0].object, loads.get('shop/web-1'));
    expect(formatCpu(c.cpuNanocores)).toBe('351500u');
  });

  it('lists nothing when no Service carries a load', () => {
    expect(serviceLoads(storeOf([service('web', { app: 'web' }, {})]), pods).size).toBe(0);
  });
});

import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import type { StoredObject } from '../storage/revision';
import type { TypedStore } from '../storage/typed-store';
import { ANN_LIMIT_RANGER, LimitRangerAdmission } from './limit-ranger';

const podType = { group: '', kind: 'Pod', resource: 'pods' } as ResourceType;

function ranges(...limits: Record<string, unknown>[][]): TypedStore {
  const stored = limits.map(
    (l, i) =>
      ({
        object: { metadata: { name: `r${i}`, namespace: 'ns' }, spec: { limits: l } },
      }) as unknown as StoredObject,
  );
  return { list: (ns?: string) => (ns === 'ns' ? stored : []) } as unknown as TypedStore;
}

const pod = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec,
});
const container = (name: string, resources: Record<string, unknown> = {}) => ({
  name,
  image: 'nginx',
  resources,
});

describe('LimitRanger admission', () => {
  it('leaves pods of namespaces without LimitRanges alone', () => {
    const p = pod({ containers: [container('a')] });
    new LimitRangerAdmission(ranges()).admit(
      podType,
      { ...p, metadata: { namespace: 'other' } },
      'p',
    );
    expect(p.spec).toEqual({ containers: [container('a')] });
  });

  it('defaults init containers too and names each container in the annotation', () => {
    const p = pod({
      containers: [container('app', { requests: { cpu: '50m' } })],
      initContainers: [container('init')],
    });
    new LimitRangerAdmission(
      ranges([{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '200m' } }]),
    ).admit(podType, p, 'p');
    expect(p.metadata.annotations?.[ANN_LIMIT_RANGER]).toBe(
      'LimitRanger plugin set: cpu limit for container app; cpu request for init container init; cpu limit for init container init',
    );
    expect(p.spec).toMatchObject({
      containers: [{ resources: { requests: { cpu: '50m' }, limits: { cpu: '500m' } } }],
      initContainers: [{ resources: { requests: { cpu: '200m' }, limits: { cpu: '500m' } } }],
    });
  });

  it('checks the limit-to-request ratio and prints it as Go does', () => {
    const admission = new LimitRangerAdmission(
      ranges([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]),
    );
    expect(() =>
      admission.admit(
        podType,
        pod({
          containers: [container('a', { requests: { cpu: '100m' }, limits: { cpu: '300m' } })],
        }),
        'p',
      ),
    ).toThrow(
      'pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000',
    );
    expect(() =>
      admission.admit(
        podType,
        pod({ containers: [container('a', { limits: { cpu: '1' } })] }),
        'p',
      ),
    ).toThrow(
      'cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
    );
  });

  it('sums containers (init containers count at their max) for Pod items, in the parts’ format', () => {
    const admission = new LimitRangerAdmission(ranges([{ type: 'Pod', max: { memory: '100Mi' } }]));
    expect(() =>
      admission.admit(
        podType,
        pod({
          containers: [
            container('a', { limits: { memory: '64Mi' } }),
            container('b', { limits: { memory: '64Mi' } }),
          ],
          initContainers: [container('i', { limits: { memory: '96Mi' } })],
        }),
        'p',
      ),
    ).toThrow('maximum memory usage per Pod is 100Mi, but limit is 128Mi');
  });
});

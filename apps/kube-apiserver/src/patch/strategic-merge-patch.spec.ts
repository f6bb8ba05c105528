import { applyStrategicMergePatch } from './strategic-merge-patch';

const strategies = {
  'spec.ports': { key: 'port' },
  'spec.containers': { key: 'name' },
  'spec.containers.env': { key: 'name' },
  'metadata.finalizers': { primitive: true },
};

describe('applyStrategicMergePatch', () => {
  it('should merge maps and delete keys set to null', () => {
    const out = applyStrategicMergePatch(
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { a: null, c: '3' } } },
      strategies,
    );
    expect(out).toEqual({ metadata: { labels: { b: '2', c: '3' } } });
  });

  it('should apply kubectl’s computed service port change', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
    const patch = {
      spec: {
        $setElementOrder: undefined,
        '$setElementOrder/ports': [{ port: 81 }],
        ports: [
          { port: 81, targetPort: 8080 },
          { $patch: 'delete', port: 80 },
        ],
      },
    };
    expect(applyStrategicMergePatch(svc, patch, strategies)).toEqual({
      spec: { ports: [{ port: 81, targetPort: 8080 }] },
    });
  });

  it('should merge keyed lists element-wise, recursively', () => {
    const pod = {
      spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }] },
    };
    const out = applyStrategicMergePatch(
      pod,
      {
        spec: {
          containers: [
            { name: 'a', env: [{ name: 'F', value: '2' }] },
            { name: 'b', image: 'y' },
          ],
        },
      },
      strategies,
    );
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x',
            env: [
              { name: 'E', value: '1' },
              { name: 'F', value: '2' },
            ],
          },
          { name: 'b', image: 'y' },
        ],
      },
    });
  });

  it('should replace lists without a strategy (taints) and on $patch: replace', () => {
    expect(
      applyStrategicMergePatch(
        { spec: { taints: [{ key: 'a' }] } },
        { spec: { taints: [{ key: 'b' }] } },
        strategies,
      ),
    ).toEqual({ spec: { taints: [{ key: 'b' }] } });
    expect(
      applyStrategicMergePatch(
        { spec: { ports: [{ port: 1 }] } },
        { spec: { ports: [{ port: 2 }, { $patch: 'replace' }] } },
        strategies,
      ),
    ).toEqual({ spec: { ports: [{ port: 2 }] } });
  });

  it('should union primitive merge lists and honour $deleteFromPrimitiveList', () => {
    const obj = { metadata: { finalizers: ['a', 'b'] } };
    expect(
      applyStrategicMergePatch(obj, { metadata: { finalizers: ['b', 'c'] } }, strategies),
    ).toEqual({ metadata: { finalizers: ['a', 'b', 'c'] } });
    expect(
      applyStrategicMergePatch(
        obj,
        { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
        strategies,
      ),
    ).toEqual({ metadata: { finalizers: ['b'] } });
  });

  it('should keep only $retainKeys and replace a map on $patch: replace', () => {
    const vol = { spec: { volume: { name: 'v', emptyDir: {}, hostPath: { path: '/x' } } } };
    expect(
      applyStrategicMergePatch(
        vol,
        { spec: { volume: { $retainKeys: ['name', 'hostPath'], hostPath: { path: '/y' } } } },
        strategies,
      ),
    ).toEqual({ spec: { volume: { name: 'v', hostPath: { path: '/y' } } } });
    expect(
      applyStrategicMergePatch(
        { spec: { a: 1, b: 2 } },
        { spec: { $patch: 'replace', c: 3 } },
        strategies,
      ),
    ).toEqual({ spec: { c: 3 } });
  });
});

import { applyConflicts, leafFields, withoutFields } from './apply-conflicts';

const strategies = { 'spec.ports': { key: 'port' } };

describe('server-side apply conflicts', () => {
  it('should address keyed list items by their merge key', () => {
    expect([
      ...leafFields(
        { spec: { ports: [{ port: 80, targetPort: 8080 }], type: 'ClusterIP' } },
        strategies,
      ).keys(),
    ]).toEqual(['spec.ports[port=80].targetPort', 'spec.type']);
  });

  it('should conflict only on fields another manager still holds with another value', () => {
    const live = {
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 90, targetPort: 9090 },
        ],
      },
    };
    const others = [
      { manager: 'a', intent: { spec: { ports: [{ port: 80, targetPort: 8080 }] } } },
    ];
    expect(
      applyConflicts({ spec: { ports: [{ port: 80, targetPort: 1 }] } }, live, others, strategies),
    ).toEqual([{ manager: 'a', field: 'spec.ports[port=80].targetPort' }]);
    // Same value, or another item of the list: no conflict.
    expect(
      applyConflicts(
        { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
        live,
        others,
        strategies,
      ),
    ).toEqual([]);
    expect(
      applyConflicts({ spec: { ports: [{ port: 90, targetPort: 1 }] } }, live, others, strategies),
    ).toEqual([]);
    // The other manager's value was overwritten since: it no longer owns the field.
    const changed = { spec: { ports: [{ port: 80, targetPort: 7 }] } };
    expect(
      applyConflicts(
        { spec: { ports: [{ port: 80, targetPort: 1 }] } },
        changed,
        others,
        strategies,
      ),
    ).toEqual([]);
  });

  it('should take forced fields away from the previous owner', () => {
    const intent = {
      metadata: { labels: { zone: 'a', keep: 'x' } },
      spec: { ports: [{ port: 80, targetPort: 1 }, { port: 90 }] },
    };
    expect(
      withoutFields(intent, ['metadata.labels.zone', 'spec.ports[port=80].targetPort'], strategies),
    ).toEqual({
      metadata: { labels: { keep: 'x' } },
      spec: { ports: [{ port: 80 }, { port: 90 }] },
    });
  });
});

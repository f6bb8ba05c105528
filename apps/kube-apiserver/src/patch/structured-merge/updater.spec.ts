import { SchemaRegistry } from '../../schema/schema-registry';
import { FieldSet } from './field-set';
import { merge, toFieldSet } from './typed-value';
import { ConflictsError, Updater, type ManagedSets } from './updater';

// structured-merge-diff semantics on the upstream Service and Pod schemas.
describe('structured merge', () => {
  const schemas = new SchemaRegistry();
  const service = schemas.typeOf({ group: '', version: 'v1', kind: 'Service' });
  const pod = schemas.typeOf({ group: '', version: 'v1', kind: 'Pod' });
  if (!service || !pod) {
    throw new Error('upstream schemas missing');
  }

  it('should write field sets in the upstream FieldsV1 form and read them back', () => {
    const set = toFieldSet(
      {
        metadata: { labels: { app: 'web' } },
        spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } },
      },
      service,
    );
    const fields = set.toFieldsV1();
    expect(fields).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:ports': {
          'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} },
        },
        'f:selector': {},
      },
    });
    expect(FieldSet.fromFieldsV1(fields).toFieldsV1()).toEqual(fields);
  });

  it('should merge keyed lists by key and keep the applied order (merge.go)', () => {
    const live = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
          { name: 'c', image: '1' },
        ],
      },
    };
    const config = {
      spec: {
        containers: [
          { name: 'c', image: '2' },
          { name: 'x', image: '2' },
          { name: 'a', image: '2' },
        ],
      },
    };
    const merged = merge(live, config, pod) as {
      spec: { containers: { name: string; image: string }[] };
    };
    expect(merged.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      'b=1',
      'c=2',
      'x=2',
      'a=2',
    ]);
  });

  it('should move ownership to updaters and report conflicts to appliers', () => {
    const updater = new Updater(service);
    const empty: ManagedSets = new Map();
    const created = { spec: { ports: [{ port: 80, targetPort: 80 }], sessionAffinity: 'None' } };
    let managers = updater.updateManagers({}, created, 'v1', empty, 'creator');
    const edited = { spec: { ports: [{ port: 80, targetPort: 81 }], sessionAffinity: 'None' } };
    managers = updater.updateManagers(created, edited, 'v1', managers, 'editor');
    expect(managers.get('editor')?.set.toFieldsV1()).toEqual({
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:targetPort': {} } } },
    });
    expect(
      managers.get('creator')?.set.has([{ field: 'spec' }, { field: 'sessionAffinity' }]),
    ).toBe(true);
    expect(() =>
      updater.apply(
        edited,
        { spec: { ports: [{ port: 80, targetPort: 82 }] } },
        'v1',
        managers,
        'applier',
        false,
      ),
    ).toThrow(ConflictsError);
    const forced = updater.apply(
      edited,
      { spec: { ports: [{ port: 80, targetPort: 82 }] } },
      'v1',
      managers,
      'applier',
      true,
    );
    expect(forced.managers.get('editor')).toBeUndefined();
    expect(forced.managers.get('applier')?.applied).toBe(true);
  });

  it('should prune fields the applier dropped unless another manager owns them', () => {
    const updater = new Updater(service);
    const first = updater.apply(
      {},
      { spec: { ports: [{ port: 80 }, { port: 81 }], selector: { a: 'b' } } },
      'v1',
      new Map(),
      'one',
      false,
    );
    const live = first.object as Record<string, unknown>;
    const second = updater.apply(
      live,
      { spec: { ports: [{ port: 80 }] } },
      'v1',
      first.managers,
      'one',
      false,
    );
    expect(second.object).toEqual({ spec: { ports: [{ port: 80 }] } });
    const shared = updater.apply(
      live,
      { spec: { selector: { a: 'b' } } },
      'v1',
      first.managers,
      'two',
      false,
    );
    const third = updater.apply(
      shared.object ?? live,
      { spec: { ports: [{ port: 80 }] } },
      'v1',
      shared.managers,
      'one',
      false,
    );
    expect(third.object).toEqual({ spec: { ports: [{ port: 80 }], selector: { a: 'b' } } });
  });
});

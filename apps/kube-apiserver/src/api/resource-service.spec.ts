import { AdjustableClock } from '@app/common';
import { ServiceAllocator } from '../admission/service-allocator';
import { openKubeDatabase, type KubeDatabase } from '../database/open-kube-database';
import { ResourceRegistry } from '../registry/registry';
import { SchemaRegistry } from '../schema/schema-registry';
import { ObjectStore } from '../storage/object-store';
import { ResourceService } from './resource-service';

describe('ResourceService', () => {
  let database: KubeDatabase;
  let store: ObjectStore;
  let service: ResourceService;
  let clock: AdjustableClock;
  const registry = new ResourceRegistry();
  const pods = registry.get('', 'v1', 'pods');
  const namespaces = registry.get('', 'v1', 'namespaces');
  const configmaps = registry.get('', 'v1', 'configmaps');
  const write = { dryRun: false };

  beforeEach(async () => {
    database = await openKubeDatabase(':memory:');
    clock = new AdjustableClock(() => Date.UTC(2026, 10, 26, 12));
    clock.freeze();
    store = new ObjectStore(database.db.connection, clock);
    store.load();
    service = new ResourceService(
      store,
      clock,
      new ServiceAllocator('10.96.0.0/12'),
      new SchemaRegistry(),
    );
    service.create(namespaces, '', { metadata: { name: 'default' } }, write);
  });

  afterEach(async () => {
    await database.dataSource.destroy();
  });

  const pod = (name: string, spec: Record<string, unknown> = {}) => ({
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  });

  it('should assign uid, timestamps, generation and a global resourceVersion on create', () => {
    const a = service.create(pods, 'default', pod('a'), write).object;
    const b = service.create(
      configmaps,
      'default',
      { metadata: { generateName: 'cm-' } },
      write,
    ).object;
    expect(a.metadata).toMatchObject({
      namespace: 'default',
      generation: 1,
      creationTimestamp: '2026-11-26T12:00:00Z',
    });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(b.metadata.name).toMatch(/^cm-[a-z0-9]{5}$/);
    expect(a.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('should refuse stale versions and keep the version on a no-op update', () => {
    const created = service.create(
      configmaps,
      'default',
      { metadata: { name: 'c' }, data: { a: '1' } },
      write,
    ).object;
    const same = service.update(
      configmaps,
      'default',
      'c',
      JSON.parse(JSON.stringify(created)),
      undefined,
      write,
    ).object;
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    service.update(configmaps, 'default', 'c', { ...created, data: { a: '2' } }, undefined, write);
    expect(() =>
      service.update(
        configmaps,
        'default',
        'c',
        { ...created, data: { a: '3' } },
        undefined,
        write,
      ),
    ).toThrow(expect.objectContaining({ code: 409, reason: 'Conflict' }));
  });

  it('should keep status on the main resource and never the spec on /status', () => {
    service.create(pods, 'default', pod('p'), write);
    const main = service.patch(
      pods,
      'default',
      'p',
      'merge',
      { status: { phase: 'Running' }, metadata: { labels: { a: 'b' } } },
      undefined,
      write,
    ).object;
    expect(main.status).toMatchObject({ phase: 'Pending' });
    expect(main.metadata.labels).toEqual({ a: 'b' });
    const status = service.patch(
      pods,
      'default',
      'p',
      'merge',
      { status: { phase: 'Running' }, metadata: { labels: { c: 'd' } } },
      'status',
      write,
    ).object;
    expect(status.status).toMatchObject({ phase: 'Running' });
    expect(status.metadata.labels).toEqual({ a: 'b', c: 'd' });
    const spec = service.patch(
      pods,
      'default',
      'p',
      'merge',
      { spec: { nodeName: 'n9' }, metadata: { finalizers: ['x/y'] } },
      'status',
      write,
    ).object;
    expect(spec.spec).not.toHaveProperty('nodeName');
    expect(spec.metadata.finalizers).toEqual(['x/y']);
  });

  it('should bump generation only when the spec changes', () => {
    service.create(pods, 'default', pod('g'), write);
    expect(
      service.patch(
        pods,
        'default',
        'g',
        'merge',
        { metadata: { labels: { x: 'y' } } },
        undefined,
        write,
      ).object.metadata.generation,
    ).toBe(1);
    expect(
      service.patch(pods, 'default', 'g', 'merge', { spec: { nodeName: 'n' } }, undefined, write)
        .object.metadata.generation,
    ).toBe(2);
  });

  it('should hold objects with finalizers until the last one goes', () => {
    service.create(configmaps, 'default', { metadata: { name: 'f', finalizers: ['x/y'] } }, write);
    const marked = service.delete(configmaps, 'default', 'f', {});
    expect(marked.removed).toBe(false);
    expect(marked.object.metadata.deletionTimestamp).toBe('2026-11-26T12:00:00Z');
    expect(() =>
      service.patch(
        configmaps,
        'default',
        'f',
        'merge',
        { metadata: { finalizers: ['x/y', 'new'] } },
        undefined,
        write,
      ),
    ).toThrow(/no new finalizers/);
    service.patch(
      configmaps,
      'default',
      'f',
      'json',
      [{ op: 'remove', path: '/metadata/finalizers' }],
      undefined,
      write,
    );
    expect(() => service.get(configmaps, 'default', 'f')).toThrow(
      expect.objectContaining({ code: 404 }),
    );
  });

  it('should delete scheduled pods gracefully and unscheduled ones at once', () => {
    service.create(pods, 'default', pod('free'), write);
    expect(service.delete(pods, 'default', 'free', {}).removed).toBe(true);
    service.create(
      pods,
      'default',
      pod('bound', { nodeName: 'n1', terminationGracePeriodSeconds: 10 }),
      write,
    );
    const graceful = service.delete(pods, 'default', 'bound', {});
    expect(graceful.removed).toBe(false);
    expect(graceful.object.metadata).toMatchObject({
      deletionGracePeriodSeconds: 10,
      deletionTimestamp: '2026-11-26T12:00:10Z',
    });
    const shorter = service.delete(pods, 'default', 'bound', { gracePeriodSeconds: 3 });
    expect(shorter.object.metadata).toMatchObject({
      deletionGracePeriodSeconds: 3,
      deletionTimestamp: '2026-11-26T12:00:03Z',
    });
    expect(
      service.delete(pods, 'default', 'bound', { gracePeriodSeconds: 5 }).object.metadata
        .deletionGracePeriodSeconds,
    ).toBe(3);
    expect(service.delete(pods, 'default', 'bound', { gracePeriodSeconds: 0 }).removed).toBe(true);
  });

  it('should change nothing on dry run', () => {
    const rv = store.currentRv;
    service.create(pods, 'default', pod('dry'), { dryRun: true });
    expect(store.currentRv).toBe(rv);
    expect(() => service.get(pods, 'default', 'dry')).toThrow(
      expect.objectContaining({ code: 404 }),
    );
  });

  it('should reject invalid objects with a 422 naming the field', () => {
    expect(() =>
      service.create(
        pods,
        'default',
        { metadata: { name: 'Bad_Name' }, spec: { containers: [] } },
        write,
      ),
    ).toThrow(
      expect.objectContaining({ code: 422, message: expect.stringContaining('metadata.name') }),
    );
    expect(() => service.create(pods, 'missing', pod('x'), write)).toThrow(
      'namespaces "missing" not found',
    );
  });

  it('should reload state and history after a restart', () => {
    service.create(configmaps, 'default', { metadata: { name: 'persist' } }, write);
    const reloaded = new ObjectStore(database.db.connection, clock);
    reloaded.load();
    expect(reloaded.currentRv).toBe(store.currentRv);
    expect(reloaded.get('/configmaps', 'default', 'persist')?.object.metadata.name).toBe('persist');
    expect(reloaded.history.since(0)?.length).toBe(store.currentRv);
  });
});

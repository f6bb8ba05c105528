import { MaintenanceTicker } from '../src/maintenance.ticker';
import { pageThrough, projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Entry {
  seq: number;
  at: string;
  projectId?: string;
  tokenName?: string;
  operation?: string;
  resourceType?: string;
  resourceId?: string;
  method: string;
  path: string;
  status: number;
  requestId: string;
  idempotencyKey?: string;
  outOfBand: boolean;
}

describe('audit log (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ auditRetention: '1h' });
  });

  afterEach(async () => {
    await h.close();
  });

  const audit = async (query: Record<string, string | number> = {}): Promise<Entry[]> =>
    (await h.http.get('/admin/audit').query(query).set(h.adminAuth).expect(200)).body
      .items as Entry[];

  it('should record every call: project, token, operation, resource, status, request id and Idempotency-Key', async () => {
    const created = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .set({ 'Idempotency-Key': 'k-1', 'X-Request-Id': 'trace-1' })
      .send({ name: 'web', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    const id = created.body.instance.id as string;
    await h.http.get(`/v1/instances/${id}`).set(h.auth).expect(200);
    await h.http.get('/v1/instances/i-missing').set(h.auth).expect(404);
    await h.http.get('/v1/instances').expect(401);
    await h.http.get('/v1/nowhere').set(h.auth).expect(404);

    const entries = await audit();
    expect(entries.map((e) => [e.operation, e.status])).toEqual([
      ['instances.create', 202],
      ['instances.get', 200],
      ['instances.get', 404],
      ['instances.list', 401],
      [undefined, 404],
    ]);
    expect(entries[0]).toMatchObject({
      projectId: 'default',
      tokenName: 'default',
      resourceType: 'instance',
      resourceId: id,
      method: 'POST',
      path: '/v1/instances',
      requestId: 'trace-1',
      idempotencyKey: 'k-1',
      outOfBand: false,
      at: new Date(h.clock.now()).toISOString(),
    });
    expect(entries[1].resourceId).toBe(id);
    expect(entries[3].projectId).toBeUndefined();
    // The first audit query is recorded too (a query sees the calls finished before it).
    expect((await audit({ operation: 'admin.*' })).map((e) => e.operation)).toEqual([
      'admin.audit.list',
    ]);
  });

  it('should filter by project, operation glob, resource, status, time and out-of-band, and page', async () => {
    const p2 = await projectWithToken(h, 'p2');
    const start = h.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name: `n-${i}`, zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(202);
      ids.push(res.body.instance.id);
      h.clock.advance(60_000);
    }
    await h.http.get('/v1/zones').set(p2).expect(200);
    await h.http.post(`/admin/instances/${ids[1]}/crash`).set(h.adminAuth).expect(200);
    await h.http.post(`/v1/instances/${ids[1]}/reboot`).set(h.auth).expect(400);

    expect((await audit({ project: 'p2', operation: 'zones.*' })).map((e) => e.tokenName)).toEqual([
      'main',
    ]);
    expect((await audit({ operation: 'instances.*' })).map((e) => e.operation)).toEqual([
      'instances.create',
      'instances.create',
      'instances.create',
      'instances.reboot',
    ]);
    expect((await audit({ resourceId: ids[1] })).map((e) => e.operation)).toEqual([
      'instances.create',
      'admin.instances.crash',
      'instances.reboot',
    ]);
    expect((await audit({ status: '4xx', project: 'default' })).map((e) => e.status)).toEqual([
      400,
    ]);
    expect((await audit({ status: '202' })).length).toBe(3);
    const window = await audit({
      operation: 'instances.create',
      since: new Date(start + 60_000).toISOString(),
      until: new Date(start + 120_000).toISOString(),
    });
    expect(window.map((e) => e.resourceId)).toEqual([ids[1]]);
    expect((await audit({ outOfBand: 'true' })).map((e) => e.operation)).toEqual([
      'admin.instances.crash',
    ]);

    const paged = await pageThrough<Entry>(
      h,
      '/admin/audit?operation=instances.create',
      h.adminAuth,
      2,
    );
    expect(paged.pages).toBe(2);
    expect(paged.items.map((e) => e.resourceId)).toEqual(ids);

    const bad = await h.http
      .get('/admin/audit')
      .query({ status: 'oops', since: 'yesterday' })
      .set(h.adminAuth)
      .expect(400);
    expect(bad.body.fieldViolations.map((v: { field: string }) => v.field).sort()).toEqual([
      'since',
      'status',
    ]);
    await h.http.get('/admin/audit').set(h.auth).expect(403);
  });

  it('should purge entries older than the retention (clock time) on the maintenance tick', async () => {
    await h.http.get('/v1/zones').set(h.auth).expect(200);
    h.clock.advance(30 * 60_000);
    await h.http.get('/v1/regions').set(h.auth).expect(200);
    h.clock.advance(40 * 60_000);
    h.app.get(MaintenanceTicker).tick();
    const left = await audit({ operation: '*s.list' });
    expect(left.map((e) => e.operation)).toEqual(['regions.list']);
  });
});

import { pageThrough, startHarness, type Harness } from './cloud-api-harness';

interface Instance {
  id: string;
  name: string;
  state: string;
  etag: string;
  privateIp: string;
  providerId: string;
  labels: Record<string, string>;
  zone: string;
}

describe('instances (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.http
      .post('/v1/instances')
      .set(h.auth)
      .set(headers)
      .send({ zone: 'nimbus-1a', instanceType: 'nb.small', ...body });

  const get = async (id: string): Promise<Instance> =>
    (await h.http.get(`/v1/instances/${id}`).set(h.auth).expect(200)).body as Instance;

  it('should create an instance that goes pending → running as the clock advances', async () => {
    const res = await create({ name: 'web-1', labels: { app: 'web' } }).expect(202);
    const { instance, operation } = res.body as {
      instance: Instance;
      operation: { id: string; status: string };
    };
    expect(instance).toMatchObject({
      name: 'web-1',
      state: 'pending',
      zone: 'nimbus-1a',
      labels: { app: 'web' },
    });
    expect(instance.providerId).toBe(`nimbus://default/nimbus-1a/${instance.id}`);
    expect(instance.privateIp).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(res.headers.etag).toBe(`"${instance.etag}"`);
    expect(res.headers.location).toBe(`/v1/operations/${operation.id}`);
    expect(operation.status).toBe('running');

    h.clock.advance(1000);
    expect((await get(instance.id)).state).toBe('pending');
    h.clock.advance(600);
    expect((await get(instance.id)).state).toBe('running');
    const op = await h.http.get(`/v1/operations/${operation.id}`).set(h.auth).expect(200);
    expect(op.body).toMatchObject({
      status: 'done',
      kind: 'instances.create',
      target: { id: instance.id },
    });
  });

  it('should walk stop → stopped → start → running → terminate → terminated, then forget it after retention', async () => {
    const { instance } = (await create({ name: 'cycle' }).expect(202)).body as {
      instance: Instance;
    };
    h.clock.advance(2000);

    const stop = await h.http.post(`/v1/instances/${instance.id}/stop`).set(h.auth).expect(202);
    expect(stop.body.instance.state).toBe('stopping');
    h.clock.advance(1000);
    expect((await get(instance.id)).state).toBe('stopped');

    // Stopping a stopped instance is idempotent; rebooting it is not allowed.
    await h.http.post(`/v1/instances/${instance.id}/stop`).set(h.auth).expect(200);
    const reboot = await h.http.post(`/v1/instances/${instance.id}/reboot`).set(h.auth).expect(400);
    expect(reboot.body).toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(reboot.body.detail).toContain('only a running instance can be rebooted');

    expect(
      (await h.http.post(`/v1/instances/${instance.id}/start`).set(h.auth).expect(202)).body
        .instance.state,
    ).toBe('pending');
    h.clock.advance(1500);
    expect((await get(instance.id)).state).toBe('running');

    const del = await h.http.delete(`/v1/instances/${instance.id}`).set(h.auth).expect(202);
    expect(del.body.instance.state).toBe('shutting-down');
    h.clock.advance(1000);
    expect((await get(instance.id)).state).toBe('terminated');

    h.clock.advance(59 * 60_000);
    await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200);
    h.clock.advance(60_000);
    const gone = await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(404);
    expect(gone.body.code).toBe('NOT_FOUND');
  });

  it('should keep names unique among live instances and free the name once terminated', async () => {
    const first = (await create({ name: 'dup' }).expect(202)).body.instance as Instance;
    const again = await create({ name: 'dup' }).expect(409);
    expect(again.body).toMatchObject({ code: 'ALREADY_EXISTS', status: 409 });
    await h.http.delete(`/v1/instances/${first.id}`).set(h.auth).expect(202);
    h.clock.advance(1000);
    await create({ name: 'dup' }).expect(202);
  });

  it('should never hand out a private IP that is still held', async () => {
    const ips = new Set<string>();
    for (let i = 0; i < 20; i++) {
      ips.add(
        ((await create({ name: `ip-${i}` }).expect(202)).body.instance as Instance).privateIp,
      );
    }
    expect(ips.size).toBe(20);
  });

  it('should answer 400 naming the field for unknown zones, unknown types and bad names, writing nothing', async () => {
    const zone = await create({ name: 'a', zone: 'mars-1a' }).expect(400);
    expect(zone.body.fieldViolations).toEqual([
      { field: 'zone', description: expect.stringContaining('unknown zone') },
    ]);
    const type = await create({ name: 'a', instanceType: 'huge' }).expect(400);
    expect(type.body.fieldViolations[0].field).toBe('instanceType');
    const name = await create({ name: 'Not_DNS' }).expect(400);
    expect(name.body.fieldViolations[0].field).toBe('name');
    const long = await create({ name: 'a'.repeat(64) }).expect(400);
    expect(long.body.fieldViolations[0].field).toBe('name');
    const labels = await create({ name: 'a', labels: { 'bad key!': 'x' } }).expect(400);
    expect(labels.body.fieldViolations[0].field).toBe('labels');
    const wrongType = await create({ name: 42 }).expect(400);
    expect(wrongType.body.fieldViolations.map((v: { field: string }) => v.field)).toContain('name');
    const list = await h.http.get('/v1/instances').set(h.auth).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('should replace labels with PATCH and enforce If-Match', async () => {
    const instance = (await create({ name: 'lbl', labels: { a: '1' } }).expect(202)).body
      .instance as Instance;
    const current = await get(instance.id);
    const stale = await h.http
      .patch(`/v1/instances/${instance.id}`)
      .set(h.auth)
      .set('If-Match', '"not-the-etag"')
      .send({ labels: { b: '2' } })
      .expect(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    expect((await get(instance.id)).labels).toEqual({ a: '1' });

    const ok = await h.http
      .patch(`/v1/instances/${instance.id}`)
      .set(h.auth)
      .set('If-Match', `"${current.etag}"`)
      .send({ labels: { b: '2' } })
      .expect(200);
    expect(ok.body.instance.labels).toEqual({ b: '2' });
    expect(ok.body.instance.etag).not.toBe(current.etag);
    expect(ok.body.operation.status).toBe('done');

    // The old etag is now stale for actions too.
    await h.http
      .post(`/v1/instances/${instance.id}/reboot`)
      .set(h.auth)
      .set('If-Match', current.etag)
      .expect(412);
  });

  it('should replay an idempotent create and refuse the key for a different request', async () => {
    const key = { 'Idempotency-Key': 'create-web-7' };
    const first = await create({ name: 'web-7' }, key).expect(202);
    h.clock.advance(5000);
    const replay = await create({ name: 'web-7' }, key).expect(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const list = await h.http.get('/v1/instances?name=web-7').set(h.auth).expect(200);
    expect(list.body.items).toHaveLength(1);

    const mismatch = await create({ name: 'web-8' }, key).expect(409);
    expect(mismatch.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(
      (await h.http.get('/v1/instances?name=web-8').set(h.auth).expect(200)).body.items,
    ).toHaveLength(0);
  });

  it('should keep idempotency keys across a restart and expire them after 24 h', async () => {
    const key = { 'Idempotency-Key': 'survives' };
    const first = await create({ name: 'durable' }, key).expect(202);
    await h.restart();
    const replay = await create({ name: 'durable' }, key).expect(202);
    expect(replay.body.instance.id).toBe(first.body.instance.id);
    h.clock.advance(24 * 3_600_000 + 1);
    // Expired: the key is new again, and the name is taken by the first instance.
    await create({ name: 'durable' }, key).expect(409);
  });

  it('should page through 120 instances with opaque tokens and refuse changed parameters', async () => {
    for (let i = 0; i < 120; i++) {
      await create({
        name: `node-${String(i).padStart(3, '0')}`,
        zone: ['nimbus-1a', 'nimbus-1b'][i % 2],
      }).expect(202);
    }
    const { items, pages } = await pageThrough<Instance>(h, '/v1/instances', h.auth, 50);
    const seen = items.map((i) => i.name);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);

    const firstPage = await h.http
      .get('/v1/instances?zone=nimbus-1a&pageSize=10')
      .set(h.auth)
      .expect(200);
    expect(firstPage.body.items).toHaveLength(10);
    const changed = await h.http
      .get(`/v1/instances?zone=nimbus-1b&pageSize=10&pageToken=${firstPage.body.nextPageToken}`)
      .set(h.auth)
      .expect(400);
    expect(changed.body.fieldViolations[0].field).toBe('pageToken');
    await h.http.get('/v1/instances?pageToken=forged.token').set(h.auth).expect(400);
    await h.http.get('/v1/instances?pageSize=501').set(h.auth).expect(400);
    await h.http.get('/v1/instances?pageSize=abc').set(h.auth).expect(400);
    const defaults = await h.http.get('/v1/instances').set(h.auth).expect(200);
    expect(defaults.body.items).toHaveLength(50);
  });

  it('should filter by label selector, zone, state, name and private IP', async () => {
    const a = (await create({ name: 'a', labels: { app: 'web', tier: 'front' } }).expect(202)).body
      .instance as Instance;
    await create({ name: 'b', zone: 'nimbus-1b', labels: { app: 'web', tier: 'back' } }).expect(
      202,
    );
    await create({ name: 'c', labels: { app: 'db' } }).expect(202);
    h.clock.advance(2000);
    await h.http.post(`/v1/instances/${a.id}/stop`).set(h.auth).expect(202);

    const names = async (query: string) =>
      (
        (await h.http.get(`/v1/instances?${query}`).set(h.auth).expect(200)).body
          .items as Instance[]
      ).map((i) => i.name);
    expect(await names('labelSelector=app%3Dweb')).toEqual(['a', 'b']);
    expect(
      await names(`labelSelector=${encodeURIComponent('app=web,tier notin (front)')}`),
    ).toEqual(['b']);
    expect(await names(`labelSelector=${encodeURIComponent('tier in (front,back)')}`)).toEqual([
      'a',
      'b',
    ]);
    expect(await names(`labelSelector=${encodeURIComponent('!tier')}`)).toEqual(['c']);
    expect(await names('labelSelector=tier')).toEqual(['a', 'b']);
    expect(await names('zone=nimbus-1b')).toEqual(['b']);
    expect(await names('state=stopping')).toEqual(['a']);
    expect(await names('name=c')).toEqual(['c']);
    expect(await names(`privateIp=${a.privateIp}`)).toEqual(['a']);
    const bad = await h.http
      .get(`/v1/instances?labelSelector=${encodeURIComponent('app in (x')}`)
      .set(h.auth)
      .expect(400);
    expect(bad.body.fieldViolations[0].field).toBe('labelSelector');
    await h.http.get('/v1/instances?state=melting').set(h.auth).expect(400);
    await h.http.get('/v1/instances?privateIp=10.0.0.999').set(h.auth).expect(400);
    await h.http.get('/v1/instances?color=blue').set(h.auth).expect(400);
  });

  it('should settle immediately when transitions are configured to take 0 ms', async () => {
    await h.close();
    h = await startHarness({ transitionMs: 0 });
    const res = await create({ name: 'fast' }).expect(200);
    expect(res.body.instance.state).toBe('running');
    expect(res.body.operation.status).toBe('done');
  });
});

import { ADMIN_TOKEN, projectWithToken, startHarness, type Harness } from './cloud-api-harness';

describe('API conventions (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('should answer 401 problem+json without a token or with a wrong one', async () => {
    for (const headers of [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Basic abc' }]) {
      const res = await h.http.get('/v1/instances').set(headers).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(res.body).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        retryable: false,
        instance: '/v1/instances',
      });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    }
  });

  it('should echo a client request id and mark every response as the v1 API', async () => {
    const res = await h.http
      .get('/v1/zones')
      .set(h.auth)
      .set('X-Request-Id', 'trace-me-123')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('trace-me-123');
    expect(res.headers['x-nimbus-api']).toBe('v1');
    const generated = await h.http.get('/healthz').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^req-[0-9a-f]{16}$/);
    expect(generated.headers['x-nimbus-api']).toBe('v1');
  });

  it('should answer unknown routes, malformed JSON, non-object bodies and unknown fields with problems', async () => {
    const unknown = await h.http.get('/v1/spaceships').set(h.auth).expect(404);
    expect(unknown.body).toMatchObject({
      code: 'NOT_FOUND',
      detail: 'no route GET /v1/spaceships',
    });

    const malformed = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(malformed.body.code).toBe('INVALID_ARGUMENT');
    expect(malformed.body.detail).toMatch(/malformed JSON/);

    const array = await h.http.post('/v1/instances').set(h.auth).send([1, 2]).expect(400);
    expect(array.body.fieldViolations).toEqual([
      { field: 'body', description: 'must be a JSON object' },
    ]);

    const extra = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ name: 'x', zone: 'nimbus-1a', instanceType: 'nb.small', colour: 'red' })
      .expect(400);
    expect(extra.body.fieldViolations).toEqual([{ field: 'colour', description: 'unknown field' }]);

    // A missing required field says so, whatever other rules it has (not "must be a string").
    const missing = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ zone: 'nimbus-1a' })
      .expect(400);
    expect(missing.body.fieldViolations).toEqual([
      { field: 'name', description: 'is required' },
      { field: 'instanceType', description: 'is required' },
    ]);
    expect(missing.body.detail).toBe('name: is required; instanceType: is required');
    const noTokenName = await h.http
      .post('/v1/projects/default/tokens')
      .set(h.adminAuth)
      .send({})
      .expect(400);
    expect(noTokenName.body.fieldViolations).toEqual([
      { field: 'name', description: 'is required' },
    ]);
    const nullZone = await h.http
      .post('/v1/volumes')
      .set(h.auth)
      .send({ name: 'v', zone: null, sizeGiB: 1 })
      .expect(400);
    expect(nullZone.body.fieldViolations).toEqual([
      { field: 'zone', description: 'must not be null' },
    ]);

    const badKey = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .set('Idempotency-Key', 'has space')
      .send({})
      .expect(400);
    expect(badKey.body.fieldViolations[0].field).toBe('Idempotency-Key');
  });

  it("should hide another project's instances (404) and keep lists separate", async () => {
    const other = await projectWithToken(h, 'team-b');
    const mine = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ name: 'private', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    const id = mine.body.instance.id as string;
    const theirs = await h.http.get(`/v1/instances/${id}`).set(other).expect(404);
    expect(theirs.body.code).toBe('NOT_FOUND');
    await h.http.post(`/v1/instances/${id}/stop`).set(other).expect(404);
    await h.http.delete(`/v1/instances/${id}`).set(other).expect(404);
    await h.http.get(`/v1/operations/${mine.body.operation.id}`).set(other).expect(404);
    expect((await h.http.get('/v1/instances').set(other).expect(200)).body.items).toEqual([]);
    // The same name may exist in another project; its provider ID names that project.
    const same = await h.http
      .post('/v1/instances')
      .set(other)
      .send({ name: 'private', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    expect(same.body.instance.providerId).toMatch(/^nimbus:\/\/team-b\/nimbus-1a\//);
  });

  it('should list the catalog: one region, three zones with subnets, instance types', async () => {
    const regions = await h.http.get('/v1/regions').set(h.auth).expect(200);
    expect(regions.body.items).toEqual([
      { name: 'nimbus-1', zones: ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'] },
    ]);
    const zones = await h.http.get('/v1/zones').set(h.auth).expect(200);
    expect(zones.body.items.map((z: { subnetCidr: string }) => z.subnetCidr)).toEqual([
      '10.0.0.0/18',
      '10.0.64.0/18',
      '10.0.128.0/18',
    ]);
    const types = await h.http.get('/v1/instance-types').set(h.auth).expect(200);
    expect(types.body.items.length).toBeGreaterThanOrEqual(4);
    expect(types.body.items[0]).toMatchObject({
      name: 'nb.small',
      vcpus: 1,
      memoryMiB: 2048,
      maxAttachedVolumes: 8,
    });
  });

  it('should list operations and filter them by target', async () => {
    const created = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ name: 'ops', zone: 'nimbus-1b', instanceType: 'nb.small' })
      .expect(202);
    const id = created.body.instance.id as string;
    const ops = await h.http.get(`/v1/operations?targetId=${id}`).set(h.auth).expect(200);
    expect(ops.body.items).toHaveLength(1);
    expect(ops.body.items[0]).toMatchObject({ kind: 'instances.create', status: 'running' });
    h.clock.advance(1500);
    expect(
      (await h.http.get(`/v1/operations/${ops.body.items[0].id}`).set(h.auth)).body.status,
    ).toBe('done');
    await h.http.get('/v1/operations/op-missing').set(h.auth).expect(404);
  });

  it('should serve health, readiness and Prometheus metrics labelled by route and status', async () => {
    await h.http.get('/healthz').expect(200, { status: 'ok' });
    expect((await h.http.get('/readyz').expect(200)).body.checks).toEqual({ database: 'ok' });
    await h.http.get('/v1/regions').set(h.auth).expect(200);
    await h.http.get('/v1/instances/i-nope').set(h.auth).expect(404);
    const metrics = await h.http.get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /http_requests_total\{method="GET",route="\/v1\/regions",status="200"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /http_requests_total\{method="GET",route="\/v1\/instances\/:id",status="404"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/regions"/,
    );
  });

  it('should keep admin endpoints for admin tokens', async () => {
    const res = await h.http.get('/v1/projects').set(h.auth).expect(403);
    expect(res.body.code).toBe('PERMISSION_DENIED');
    await h.http
      .get('/v1/projects')
      .set({ Authorization: `Bearer ${ADMIN_TOKEN}` })
      .expect(200);
  });
});

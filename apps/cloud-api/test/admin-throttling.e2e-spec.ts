import { MaintenanceTicker } from '../src/maintenance.ticker';
import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

/** Admin API: token-bucket throttling with RateLimit-* headers, shared through SQLite. */
describe('admin: rate limits (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const limits = (body: Record<string, unknown>) =>
    h.http.put('/admin/rate-limits').set(h.adminAuth).send(body).expect(200);

  const headersOf = (res: { headers: Record<string, string> }) => ({
    limit: res.headers['ratelimit-limit'],
    remaining: res.headers['ratelimit-remaining'],
    reset: res.headers['ratelimit-reset'],
  });

  it('should send RateLimit-* headers on every project call, successes and errors alike', async () => {
    const shown = await h.http.get('/admin/rate-limits').set(h.adminAuth).expect(200);
    expect(shown.body).toEqual({
      enabled: true,
      reads: { capacity: 1000, refillPerSecond: 100 },
      mutations: { capacity: 500, refillPerSecond: 50 },
      instanceCreates: { capacity: 200, refillPerSecond: 10 },
    });
    // Admin endpoints are not throttled.
    expect(shown.headers['ratelimit-limit']).toBeUndefined();

    const list = await h.http.get('/v1/instances').set(h.auth).expect(200);
    expect(headersOf(list)).toEqual({ limit: '1000', remaining: '999', reset: '1' });
    const second = await h.http.get('/v1/zones').set(h.auth).expect(200);
    expect(headersOf(second)).toEqual({ limit: '1000', remaining: '998', reset: '1' });
    const missing = await h.http.get('/v1/instances/i-00000000000000000').set(h.auth).expect(404);
    expect(headersOf(missing).remaining).toBe('997');
    const invalid = await h.http.post('/v1/instances').set(h.auth).send({ name: 'X' }).expect(400);
    expect(headersOf(invalid)).toEqual({ limit: '200', remaining: '199', reset: '1' });
    const mutation = await h.http.delete('/v1/volumes/vol-0000000000000000').set(h.auth);
    expect(headersOf(mutation)).toEqual({ limit: '500', remaining: '499', reset: '1' });
  });

  it('should answer 429 RATE_LIMITED with Retry-After when a bucket is empty, and recover as the clock advances', async () => {
    await limits({ mutations: { capacity: 2, refillPerSecond: 0.5 } });
    let n = 0;
    const mutate = () =>
      h.http
        .post('/v1/networks')
        .set(h.auth)
        .send({ name: `n-${n}`, cidr: `10.${++n}.0.0/16` });
    await mutate().expect(200);
    const last = await mutate().expect(200);
    expect(headersOf(last)).toEqual({ limit: '2', remaining: '0', reset: '4' });

    const throttled = await mutate().expect(429);
    expect(throttled.body).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterSeconds: 2,
      metadata: { bucket: 'mutations', limit: 2, refillPerSecond: 0.5 },
    });
    expect(throttled.headers['retry-after']).toBe('2');
    expect(headersOf(throttled)).toEqual({ limit: '2', remaining: '0', reset: '4' });
    // A throttled call changed nothing; other buckets are untouched.
    const networks = await h.http.get('/v1/networks').set(h.auth).expect(200);
    expect(networks.body.items.map((x: { name: string }) => x.name)).not.toContain('n-2');

    h.clock.advance(1999);
    await mutate().expect(429);
    h.clock.advance(1);
    const recovered = await mutate().expect(200);
    expect(headersOf(recovered).remaining).toBe('0');
    h.clock.advance(60_000);
    expect(headersOf(await mutate().expect(200))).toEqual({
      limit: '2',
      remaining: '1',
      reset: '2',
    });
  });

  it('should give instance creation its own bucket, per project', async () => {
    await limits({ instanceCreates: { capacity: 1, refillPerSecond: 1 } });
    const create = (auth: { Authorization: string }, name: string) =>
      h.http
        .post('/v1/instances')
        .set(auth)
        .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small' });
    await create(h.auth, 'a').expect(202);
    await create(h.auth, 'b').expect(429);
    // Other mutations and other projects still go through.
    await h.http
      .post('/v1/networks')
      .set(h.auth)
      .send({ name: 'blue', cidr: '10.1.0.0/16' })
      .expect(200);
    const teamA = await projectWithToken(h, 'team-a');
    await create(teamA, 'a').expect(202);
  });

  it('should share buckets between two processes on one database', async () => {
    await limits({ reads: { capacity: 3, refillPerSecond: 1 } });
    const other = await h.startSibling();
    await h.http.get('/v1/zones').set(h.auth).expect(200);
    await other.http.get('/v1/zones').set(h.auth).expect(200);
    const third = await h.http.get('/v1/zones').set(h.auth).expect(200);
    expect(headersOf(third).remaining).toBe('0');
    await other.http.get('/v1/zones').set(h.auth).expect(429);
    await h.http.get('/v1/zones').set(h.auth).expect(429);

    // Limits changed through one process reach the other at its next maintenance tick.
    await limits({ reads: { capacity: 10, refillPerSecond: 1 } });
    other.app.get(MaintenanceTicker).tick();
    expect(headersOf(await other.http.get('/v1/zones').set(h.auth).expect(200)).limit).toBe('10');
  });

  it('should grant exactly the capacity across processes that lease tokens in chunks', async () => {
    // Capacity 200: each process takes 2 tokens per write to the shared bucket.
    await limits({ reads: { capacity: 200, refillPerSecond: 0.001 } });
    const other = await h.startSibling();
    const statuses: number[] = [];
    for (let i = 0; i < 204; i++) {
      const agent = i % 2 === 0 ? h.http : other.http;
      statuses.push((await agent.get('/v1/zones').set(h.auth)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
  });

  it('should turn throttling off, and validate limits naming the field', async () => {
    const bad = await h.http
      .put('/admin/rate-limits')
      .set(h.adminAuth)
      .send({ reads: { capacity: 0, refillPerSecond: 1 }, writes: {} })
      .expect(400);
    expect(bad.body.fieldViolations.map((v: { field: string }) => v.field).sort()).toEqual([
      'reads.capacity',
      'writes',
    ]);
    await limits({ enabled: false });
    const res = await h.http.get('/v1/zones').set(h.auth).expect(200);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });
});

import { startHarness, TOKEN, type Harness } from './cloud-api-harness';

describe('projects and tokens (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  it('should bootstrap the default project with the configured tokens', async () => {
    const projects = await h.http.get('/v1/projects').set(h.adminAuth).expect(200);
    expect(projects.body.items.map((p: { id: string }) => p.id)).toEqual(['default']);
    const tokens = await h.http.get('/v1/projects/default/tokens').set(h.adminAuth).expect(200);
    expect(
      tokens.body.items.map((t: { name: string; admin: boolean }) => [t.name, t.admin]),
    ).toEqual([
      ['default', false],
      ['admin', true],
    ]);
    expect(JSON.stringify(tokens.body)).not.toContain(TOKEN);
  });

  it('should create a project and a token that works once and only in its project', async () => {
    const project = await h.http
      .post('/v1/projects')
      .set(h.adminAuth)
      .send({ id: 'team-a', displayName: 'Team A' })
      .expect(201);
    expect(project.body).toMatchObject({ id: 'team-a', displayName: 'Team A' });
    expect(project.headers.location).toBe('/v1/projects/team-a');
    await h.http.post('/v1/projects').set(h.adminAuth).send({ id: 'team-a' }).expect(409);
    await h.http.post('/v1/projects').set(h.adminAuth).send({ id: 'Team_A' }).expect(400);

    const key = { 'Idempotency-Key': 'tok-1' };
    const token = await h.http
      .post('/v1/projects/team-a/tokens')
      .set(h.adminAuth)
      .set(key)
      .send({ name: 'ci' })
      .expect(201);
    expect(token.body.secret).toMatch(/^nmb_/);
    const replay = await h.http
      .post('/v1/projects/team-a/tokens')
      .set(h.adminAuth)
      .set(key)
      .send({ name: 'ci' })
      .expect(201);
    expect(replay.body.id).toBe(token.body.id);
    expect(replay.body.secret).toBeUndefined();

    const auth = { Authorization: `Bearer ${token.body.secret}` };
    const created = await h.http
      .post('/v1/instances')
      .set(auth)
      .send({ name: 'a', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    expect(created.body.instance.projectId).toBe('team-a');
    await h.http.get('/v1/projects').set(auth).expect(403);

    await h.http.delete(`/v1/projects/team-a/tokens/${token.body.id}`).set(h.adminAuth).expect(200);
    await h.http.get('/v1/instances').set(auth).expect(401);
  });

  it('should refuse to delete a project with live instances, then delete it when empty', async () => {
    await h.http.post('/v1/projects').set(h.adminAuth).send({ id: 'short-lived' }).expect(201);
    const token = await h.http
      .post('/v1/projects/short-lived/tokens')
      .set(h.adminAuth)
      .send({ name: 't' })
      .expect(201);
    const auth = { Authorization: `Bearer ${token.body.secret}` };
    const created = await h.http
      .post('/v1/instances')
      .set(auth)
      .send({ name: 'a', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    const refused = await h.http.delete('/v1/projects/short-lived').set(h.adminAuth).expect(400);
    expect(refused.body.code).toBe('FAILED_PRECONDITION');
    await h.http.delete(`/v1/instances/${created.body.instance.id}`).set(auth).expect(202);
    h.clock.advance(1000);
    await h.http.get('/v1/instances').set(auth).expect(200);
    await h.http.delete('/v1/projects/short-lived').set(h.adminAuth).expect(200);
    await h.http.get('/v1/projects/short-lived').set(h.adminAuth).expect(404);
    await h.http.get('/v1/instances').set(auth).expect(401);
  });

  it('should refuse to delete a project that still holds volumes', async () => {
    await h.http.post('/v1/projects').set(h.adminAuth).send({ id: 'with-disk' }).expect(201);
    const token = await h.http
      .post('/v1/projects/with-disk/tokens')
      .set(h.adminAuth)
      .send({ name: 't' })
      .expect(201);
    const auth = { Authorization: `Bearer ${token.body.secret}` };
    await h.http
      .post('/v1/volumes')
      .set(auth)
      .send({ name: 'data', zone: 'nimbus-1a', sizeGiB: 10, type: 'standard' })
      .expect(202);
    const refused = await h.http.delete('/v1/projects/with-disk').set(h.adminAuth).expect(400);
    expect(refused.body.detail).toContain('1 volume(s)');
    await h.http.get('/v1/projects/with-disk').set(h.adminAuth).expect(200);
  });

  it('should keep tokens across restarts', async () => {
    await h.restart();
    await h.http.get('/v1/instances').set(h.auth).expect(200);
  });
});

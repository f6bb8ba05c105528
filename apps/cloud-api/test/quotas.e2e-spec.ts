import type { Response } from 'supertest';
import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Quota {
  metric: string;
  scope?: string;
  limit: number;
  usage: number;
}

describe('quotas (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const quotas = async (auth = h.auth): Promise<Quota[]> =>
    (await h.http.get('/v1/quotas').set(auth).expect(200)).body.items as Quota[];

  const quota = async (metric: string, scope?: string, auth = h.auth) =>
    (await quotas(auth)).find((q) => q.metric === metric && q.scope === scope);

  const setLimits = (projectId: string, limits: Record<string, unknown>) =>
    h.http.put(`/v1/projects/${projectId}/quotas`).set(h.adminAuth).send({ limits });

  const createVolume = (name: string, sizeGiB = 10, auth = h.auth) =>
    h.http
      .post('/v1/volumes')
      .set(auth)
      .send({ name, zone: 'nimbus-1a', type: 'standard', sizeGiB });

  const createInstance = (name: string, auth = h.auth) =>
    h.http
      .post('/v1/instances')
      .set(auth)
      .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small' });

  it('should count volumes and volume GiB, including growth, and release them when volumes are gone', async () => {
    const a = (await createVolume('a', 10).expect(202)).body.volume as { id: string };
    await createVolume('b', 30).expect(202);
    expect(await quota('volumes')).toEqual({ metric: 'volumes', limit: 1000, usage: 2 });
    expect(await quota('volumeGiB')).toEqual({ metric: 'volumeGiB', limit: 100_000, usage: 40 });

    h.clock.advance(1000);
    await h.http.post(`/v1/volumes/${a.id}/resize`).set(h.auth).send({ sizeGiB: 25 }).expect(202);
    expect((await quota('volumeGiB'))?.usage).toBe(55);

    await h.http.delete(`/v1/volumes/${a.id}`).set(h.auth).expect(202);
    // Counted until the volume is gone.
    expect((await quota('volumes'))?.usage).toBe(2);
    h.clock.advance(1000);
    expect((await quota('volumes'))?.usage).toBe(1);
    expect((await quota('volumeGiB'))?.usage).toBe(30);
  });

  it('should show attachments per instance, capped by the instance type, while volumes are attached', async () => {
    const vol = (await createVolume('data').expect(202)).body.volume as { id: string };
    const vm = (await createInstance('vm').expect(202)).body.instance as { id: string };
    h.clock.advance(1500);
    expect(await quota('attachmentsPerInstance')).toEqual({
      metric: 'attachmentsPerInstance',
      limit: 128,
      usage: 0,
    });
    await h.http.post(`/v1/volumes/${vol.id}/attach`).set(h.auth).send({ instanceId: vm.id });
    expect(await quota('attachmentsPerInstance', vm.id)).toEqual({
      metric: 'attachmentsPerInstance',
      scope: vm.id,
      limit: 8,
      usage: 1,
    });
    h.clock.advance(1000);
    await h.http
      .post(`/v1/volumes/${vol.id}/detach`)
      .set(h.auth)
      .send({ instanceId: vm.id })
      .expect(202);
    h.clock.advance(1000);
    expect(await quota('attachmentsPerInstance', vm.id)).toBeUndefined();
  });

  it('should answer QUOTA_EXCEEDED when a project limit on attachments is below the type’s', async () => {
    await setLimits('default', { attachmentsPerInstance: 1 }).expect(200);
    const v1 = (await createVolume('v1').expect(202)).body.volume as { id: string };
    const v2 = (await createVolume('v2').expect(202)).body.volume as { id: string };
    const vm = (await createInstance('vm').expect(202)).body.instance as { id: string };
    h.clock.advance(1500);
    await h.http
      .post(`/v1/volumes/${v1.id}/attach`)
      .set(h.auth)
      .send({ instanceId: vm.id })
      .expect(202);
    const res = await h.http
      .post(`/v1/volumes/${v2.id}/attach`)
      .set(h.auth)
      .send({ instanceId: vm.id })
      .expect(429);
    expect(res.body).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      retryable: false,
      metadata: { quotaMetric: 'attachmentsPerInstance', scope: vm.id, limit: 1, usage: 1 },
    });
  });

  it('should refuse growth beyond the volumeGiB limit', async () => {
    await setLimits('default', { volumeGiB: 50 }).expect(200);
    const vol = (await createVolume('v', 40).expect(202)).body.volume as { id: string };
    h.clock.advance(1000);
    const res = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 60 })
      .expect(429);
    expect(res.body.metadata).toMatchObject({ quotaMetric: 'volumeGiB', requested: 20 });
    expect((await h.http.get(`/v1/volumes/${vol.id}`).set(h.auth).expect(200)).body.sizeGiB).toBe(
      40,
    );
    expect((await quota('volumeGiB'))?.usage).toBe(40);
  });

  it('should let an admin set limits of one project and nobody else', async () => {
    const teamAuth = await projectWithToken(h, 'team-a');
    const res = await setLimits('team-a', { instances: 20, volumes: 3 }).expect(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { metric: 'instances', limit: 20, usage: 0 },
        { metric: 'volumes', limit: 3, usage: 0 },
      ]),
    );
    expect((await quota('volumes', undefined, teamAuth))?.limit).toBe(3);
    expect((await quota('volumes'))?.limit).toBe(1000);
    const adminView = await h.http.get('/v1/projects/team-a/quotas').set(h.adminAuth).expect(200);
    expect(adminView.body.items).toEqual(await quotas(teamAuth));

    const denied = await h.http
      .put('/v1/projects/team-a/quotas')
      .set(h.auth)
      .send({ limits: { volumes: 100 } })
      .expect(403);
    expect(denied.body.code).toBe('PERMISSION_DENIED');
    await setLimits('nope', { volumes: 1 }).expect(404);
  });

  it('should count against a project limit raised above the default, and refuse past it counting nothing', async () => {
    await h.close();
    h = await startHarness({ quotas: 'volumes=1' });
    await createVolume('a').expect(202);
    await createVolume('b').expect(429);
    await setLimits('default', { volumes: 2 }).expect(200);
    await createVolume('b').expect(202);
    const refused = await createVolume('c').expect(429);
    expect(refused.body).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      metadata: { quotaMetric: 'volumes', limit: 2, usage: 2, requested: 1 },
    });
    expect(await quota('volumes')).toEqual({ metric: 'volumes', limit: 2, usage: 2 });
    expect((await quota('volumeGiB'))?.usage).toBe(20);
  });

  it('should answer 400 naming each bad field and change nothing', async () => {
    const bad = await setLimits('default', {
      volumes: 5,
      lasers: 3,
      instances: -1,
      vcpus: 1.5,
    }).expect(400);
    expect(bad.body.code).toBe('INVALID_ARGUMENT');
    expect(bad.body.fieldViolations.map((v: { field: string }) => v.field)).toEqual([
      'limits.lasers',
      'limits.instances',
      'limits.vcpus',
    ]);
    expect(bad.body.detail).toContain('unknown quota metric');
    const text = await setLimits('default', { volumes: '5' }).expect(400);
    expect(text.body.fieldViolations[0].field).toBe('limits.volumes');
    const notObject = await h.http
      .put('/v1/projects/default/quotas')
      .set(h.adminAuth)
      .send({ limits: 5 })
      .expect(400);
    expect(notObject.body.fieldViolations[0].field).toBe('limits');
    expect((await quota('volumes'))?.limit).toBe(1000);
  });

  const settleConcurrent = (responses: Response[]) => ({
    ok: responses.filter((r) => r.status === 202),
    refused: responses.filter((r) => r.status === 429),
  });

  it('should let exactly N of 30 concurrent volume creates through a limit of N', async () => {
    await setLimits('default', { volumes: 7 }).expect(200);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createVolume(`c-${i}`)),
    );
    const { ok, refused } = settleConcurrent(responses);
    expect(ok).toHaveLength(7);
    expect(refused).toHaveLength(23);
    for (const r of refused) {
      expect(r.body).toMatchObject({
        code: 'QUOTA_EXCEEDED',
        retryable: false,
        metadata: { quotaMetric: 'volumes', limit: 7, usage: 7, requested: 1 },
      });
    }
    expect((await quota('volumes'))?.usage).toBe(7);
    expect((await quota('volumeGiB'))?.usage).toBe(70);
    const list = await h.http.get('/v1/volumes').set(h.auth).expect(200);
    expect(list.body.items).toHaveLength(7);
  });

  it('should let exactly N of 30 concurrent instance creates through a limit of N', async () => {
    await setLimits('default', { instances: 5 }).expect(200);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createInstance(`c-${i}`)),
    );
    const { ok, refused } = settleConcurrent(responses);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(25);
    expect(refused.every((r) => r.body.code === 'QUOTA_EXCEEDED' && !r.body.retryable)).toBe(true);
    expect((await quota('instances'))?.usage).toBe(5);
    expect((await quota('vcpus'))?.usage).toBe(5);
  });
});

import { AdjustableClock } from '@app/common';
import { SqliteDatabase } from '@app/persistence';
import { startHarness, type Harness } from './cloud-api-harness';

interface Instance {
  id: string;
  name: string;
  state: string;
}

/** Admin API: the fake clock, transition durations and eventual consistency. */
describe('admin: clock, transitions, consistency (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const createInstance = async (name: string, status = 202): Promise<Instance> =>
    (
      await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(status)
    ).body.instance as Instance;

  const stateOf = async (id: string): Promise<string> =>
    (await h.http.get(`/v1/instances/${id}`).set(h.auth).expect(200)).body.state as string;

  const clock = (body: Record<string, unknown>) =>
    h.http.post('/admin/clock').set(h.adminAuth).send(body);

  describe('clock', () => {
    it('should show, freeze, advance and set the clock, moving an instance through its states', async () => {
      const start = h.clock.now();
      const shown = await h.http.get('/admin/clock').set(h.adminAuth).expect(200);
      expect(shown.body).toEqual({ now: new Date(start).toISOString(), frozen: true });

      const instance = await createInstance('web-1');
      expect((await clock({ advance: '1s' }).expect(200)).body.now).toBe(
        new Date(start + 1000).toISOString(),
      );
      expect(await stateOf(instance.id)).toBe('pending');
      await clock({ advance: 500 }).expect(200);
      expect(await stateOf(instance.id)).toBe('running');

      await h.http.post(`/v1/instances/${instance.id}/stop`).set(h.auth).expect(202);
      const target = new Date(start + 60_000).toISOString();
      const set = await clock({ set: target }).expect(200);
      expect(set.body).toEqual({ now: target, frozen: true });
      expect(await stateOf(instance.id)).toBe('stopped');

      // Letting it run, then freezing again, keeps time moving forward from where it was.
      expect((await clock({ frozen: false }).expect(200)).body.frozen).toBe(false);
      const refrozen = await clock({ frozen: true }).expect(200);
      expect(refrozen.body.frozen).toBe(true);
      expect(Date.parse(refrozen.body.now)).toBeGreaterThanOrEqual(start + 60_000);
    });

    it('should settle everything due when advanced, before any other API call', async () => {
      const a = await createInstance('a');
      const b = await createInstance('b');
      await clock({ advance: '2s' }).expect(200);
      // Read the database directly: no /v1 call (which settles too) has happened since.
      const db = h.app.get(SqliteDatabase);
      const rows = db.all<{ state: string }>('SELECT state FROM instances WHERE id IN (?, ?)', [
        a.id,
        b.id,
      ]);
      expect(rows.map((r) => r.state)).toEqual(['running', 'running']);
      const ops = db.all<{ status: string }>('SELECT status FROM operations');
      expect(ops.map((o) => o.status)).toEqual(['done', 'done']);
    });

    it('should let the clock go backwards: nothing is undone, pending transitions end later', async () => {
      const start = h.clock.now();
      const done = await createInstance('done');
      await clock({ advance: '2s' }).expect(200);
      const pending = await createInstance('pending');
      await clock({ set: new Date(start - 3_600_000).toISOString() }).expect(200);
      expect(await stateOf(done.id)).toBe('running');
      expect(await stateOf(pending.id)).toBe('pending');
      await clock({ advance: '1h' }).expect(200);
      expect(await stateOf(pending.id)).toBe('pending');
      await clock({ advance: '3500ms' }).expect(200);
      expect(await stateOf(pending.id)).toBe('running');
    });

    it('should reject bad values with 400 naming the field and change nothing', async () => {
      const before = (await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body;
      for (const [body, field] of [
        [{ advance: 'soon' }, 'advance'],
        [{ advance: -5 }, 'advance'],
        [{ advance: true }, 'advance'],
        [{ set: 'yesterday' }, 'set'],
        [{ set: '2026-13-45T00:00:00Z' }, 'set'],
        [{ frozen: 'yes' }, 'frozen'],
        [{ speed: 2 }, 'speed'],
        // Past what a Date can show (the issue: a 500 and a clock later calls tripped over).
        [{ advance: 1e300 }, 'advance'],
        [{ advance: '9'.repeat(400) }, 'advance'],
        [{ advance: '300000y' }, 'advance'],
        [{ advance: 4_000_000_000_000 }, 'advance'],
        [{ frozen: true, set: '9999-12-31T23:59:00Z', advance: '2m' }, 'advance'],
        [{ set: '1969-12-31T23:59:59Z' }, 'set'],
      ] as const) {
        const res = await clock(body).expect(400);
        expect(res.body.code).toBe('INVALID_ARGUMENT');
        expect(res.body.fieldViolations.map((v: { field: string }) => v.field)).toContain(field);
      }
      expect((await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body).toEqual(before);
      // Nothing later trips over the clock: a call that stamps times still works.
      await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name: 'after-bad-clock', zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(202);
    });

    it('should name the field and the limit when an advance would pass year 9999', async () => {
      const res = await clock({ advance: 1e300 }).expect(400);
      expect(res.body.fieldViolations).toEqual([
        { field: 'advance', description: 'must be at most 100 years (3155760000000 ms)' },
      ]);
      const late = await clock({ set: '9999-12-31T23:00:00Z', advance: '2h' }).expect(400);
      expect(late.body.fieldViolations[0]).toMatchObject({ field: 'advance' });
      expect(late.body.detail).toContain('9999-12-31T23:59:59.999Z');
    });

    it('should need an admin token', async () => {
      await h.http.get('/admin/clock').set(h.auth).expect(403);
      await h.http.post('/admin/clock').send({ advance: '1s' }).expect(401);
    });
  });

  describe('transition durations', () => {
    it('should keep a load balancer provisioning for 30 s when told to', async () => {
      const put = await h.http
        .put('/admin/transitions')
        .set(h.adminAuth)
        .send({ 'loadBalancer.provisioning': '30s', 'instance.pending': 0 })
        .expect(200);
      expect(put.body.durationsMs).toMatchObject({
        'loadBalancer.provisioning': 30_000,
        'instance.pending': 0,
        'instance.stopping': 1000,
      });
      expect(put.body.overridesMs).toEqual({
        'loadBalancer.provisioning': 30_000,
        'instance.pending': 0,
      });

      // Zero: the instance answers already running.
      const instance = await createInstance('node-a', 200);
      expect(instance.state).toBe('running');

      const lb = (
        await h.http
          .post('/v1/load-balancers')
          .set(h.auth)
          .send({
            name: 'web',
            region: 'nimbus-1',
            listeners: [{ protocol: 'TCP', port: 80, targetPort: 30080 }],
          })
          .expect(202)
      ).body.loadBalancer as { id: string; state: string };
      const lbState = async () =>
        (await h.http.get(`/v1/load-balancers/${lb.id}`).set(h.auth).expect(200)).body.state;
      await clock({ advance: '29s' }).expect(200);
      expect(await lbState()).toBe('provisioning');
      await clock({ advance: '1s' }).expect(200);
      expect(await lbState()).toBe('active');
    });

    it('should name unknown keys and bad values, and clear overrides with DELETE', async () => {
      const unknown = await h.http
        .put('/admin/transitions')
        .set(h.adminAuth)
        .send({ 'instance.pending': '1s', 'instance.flying': '1s', 'lb.up': 5 })
        .expect(400);
      expect(unknown.body.fieldViolations.map((v: { field: string }) => v.field)).toEqual([
        'instance.flying',
        'lb.up',
      ]);
      const bad = await h.http
        .put('/admin/transitions')
        .set(h.adminAuth)
        .send({ 'instance.pending': 'later' })
        .expect(400);
      expect(bad.body.fieldViolations[0].field).toBe('instance.pending');
      // Nothing of the refused requests was applied.
      const shown = await h.http.get('/admin/transitions').set(h.adminAuth).expect(200);
      expect(shown.body.overridesMs).toEqual({});

      await h.http
        .put('/admin/transitions')
        .set(h.adminAuth)
        .send({ 'instance.pending': '1m' })
        .expect(200);
      const cleared = await h.http.delete('/admin/transitions').set(h.adminAuth).expect(200);
      expect(cleared.body.overridesMs).toEqual({});
      expect(cleared.body.durationsMs['instance.pending']).toBe(1500);
    });
  });

  it('should keep the clock, durations, consistency and rate limits across a restart', async () => {
    const at = '2030-01-02T03:04:05.000Z';
    await clock({ set: at }).expect(200);
    await h.http
      .put('/admin/transitions')
      .set(h.adminAuth)
      .send({ 'instance.pending': '45s' })
      .expect(200);
    await h.http.put('/admin/consistency').set(h.adminAuth).send({ volume: '3s' }).expect(200);
    await h.http
      .put('/admin/rate-limits')
      .set(h.adminAuth)
      .send({ reads: { capacity: 7, refillPerSecond: 0.5 } })
      .expect(200);

    // A fresh, running clock: the stored (frozen) state must win.
    await h.restart({ clock: new AdjustableClock() });
    expect((await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body).toEqual({
      now: at,
      frozen: true,
    });
    expect(
      (await h.http.get('/admin/transitions').set(h.adminAuth).expect(200)).body.durationsMs[
        'instance.pending'
      ],
    ).toBe(45_000);
    expect(
      (await h.http.get('/admin/consistency').set(h.adminAuth).expect(200)).body.delaysMs.volume,
    ).toBe(3000);
    expect(
      (await h.http.get('/admin/rate-limits').set(h.adminAuth).expect(200)).body.reads,
    ).toEqual({ capacity: 7, refillPerSecond: 0.5 });
    const instance = await createInstance('after-restart');
    await clock({ advance: '44s' }).expect(200);
    expect(await stateOf(instance.id)).toBe('pending');
    await clock({ advance: '1s' }).expect(200);
    expect(await stateOf(instance.id)).toBe('running');
  });

  it('should keep a clock the test moved directly across a restart', async () => {
    h.clock.advance(3_600_000);
    const before = h.clock.now();
    await h.restart({ clock: new AdjustableClock() });
    expect(h.clock.now()).toBe(before);
  });

  describe('eventual consistency', () => {
    it('should answer 404 and leave a new instance out of lists until the delay has passed', async () => {
      const put = await h.http
        .put('/admin/consistency')
        .set(h.adminAuth)
        .send({ instance: '2s' })
        .expect(200);
      expect(put.body.delaysMs).toEqual({
        instance: 2000,
        volume: 0,
        network: 0,
        route: 0,
        loadBalancer: 0,
      });
      const old = await createInstance('old');
      await clock({ advance: '2s' }).expect(200);

      const fresh = await createInstance('fresh');
      const missing = await h.http.get(`/v1/instances/${fresh.id}`).set(h.auth).expect(404);
      expect(missing.body.code).toBe('NOT_FOUND');
      expect(missing.headers.etag).toBeUndefined();
      const names = async () =>
        ((await h.http.get('/v1/instances').set(h.auth).expect(200)).body.items as Instance[]).map(
          (i) => i.name,
        );
      expect(await names()).toEqual(['old']);
      // Mutations work at once, as on EC2.
      await h.http
        .patch(`/v1/instances/${fresh.id}`)
        .set(h.auth)
        .send({ labels: { tagged: 'yes' } })
        .expect(200);

      await clock({ advance: '1999ms' }).expect(200);
      await h.http.get(`/v1/instances/${fresh.id}`).set(h.auth).expect(404);
      await clock({ advance: '1ms' }).expect(200);
      const visible = await h.http.get(`/v1/instances/${fresh.id}`).set(h.auth).expect(200);
      expect(visible.body.labels).toEqual({ tagged: 'yes' });
      expect(await names()).toEqual(['old', 'fresh']);
      expect(old.id).not.toBe(fresh.id);

      // Other types are not affected; 0 turns it off.
      await h.http.put('/admin/consistency').set(h.adminAuth).send({ instance: 0 }).expect(200);
      const next = await createInstance('next');
      await h.http.get(`/v1/instances/${next.id}`).set(h.auth).expect(200);
    });

    it('should reject unknown resource types naming them', async () => {
      const res = await h.http
        .put('/admin/consistency')
        .set(h.adminAuth)
        .send({ instance: '1s', bucket: '1s' })
        .expect(400);
      expect(res.body.fieldViolations.map((v: { field: string }) => v.field)).toEqual(['bucket']);
      expect(
        (await h.http.get('/admin/consistency').set(h.adminAuth).expect(200)).body.delaysMs
          .instance,
      ).toBe(0);
    });
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

type Auth = { Authorization: string };

interface Instance {
  id: string;
  name: string;
  state: string;
  privateIp: string;
  publicIp?: string;
}

/** Collects a binary body (supertest buffers only text and JSON by default). */
function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Admin API: reset, snapshot and seed. */
describe('admin: reset, snapshot, seed (e2e)', () => {
  let h: Harness;

  afterEach(async () => {
    await h.close();
  });

  const createInstance = async (
    name: string,
    auth: Auth = h.auth,
    extra: Record<string, unknown> = {},
  ): Promise<Instance> =>
    (
      await h.http
        .post('/v1/instances')
        .set(auth)
        .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small', ...extra })
        .expect(202)
    ).body.instance as Instance;

  const names = async (path: string, auth: Auth = h.auth): Promise<string[]> =>
    ((await h.http.get(path).set(auth).expect(200)).body.items as { name: string }[]).map(
      (x) => x.name,
    );

  const usage = async (auth: Auth, metric: string): Promise<number> =>
    (
      (await h.http.get('/v1/quotas').set(auth).expect(200)).body.items as {
        metric: string;
        usage: number;
      }[]
    ).find((q) => q.metric === metric)!.usage;

  /** An instance, a volume, a network and a load balancer in the token's project. */
  const populate = async (auth: Auth) => {
    await createInstance('web', auth);
    await h.http
      .post('/v1/volumes')
      .set(auth)
      .send({ name: 'data', zone: 'nimbus-1a', type: 'standard', sizeGiB: 10 })
      .expect(202);
    await h.http
      .post('/v1/networks')
      .set(auth)
      .send({ name: 'blue', cidr: '10.1.0.0/16' })
      .expect(200);
    await h.http
      .post('/v1/load-balancers')
      .set(auth)
      .send({
        name: 'front',
        region: 'nimbus-1',
        listeners: [{ protocol: 'TCP', port: 80, targetPort: 30080 }],
      })
      .expect(202);
  };

  const expectEmpty = async (auth: Auth) => {
    expect(await names('/v1/instances', auth)).toEqual([]);
    expect(await names('/v1/volumes', auth)).toEqual([]);
    expect(await names('/v1/load-balancers', auth)).toEqual([]);
    // Only the default network, created again on demand.
    expect(await names('/v1/networks', auth)).toEqual(['default']);
    expect(await usage(auth, 'instances')).toBe(0);
    expect(await usage(auth, 'volumes')).toBe(0);
  };

  describe('reset', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('should wipe every project, keeping projects, tokens and quota limits', async () => {
      const teamA = await projectWithToken(h, 'team-a');
      await h.http
        .put('/v1/projects/team-a/quotas')
        .set(h.adminAuth)
        .send({ limits: { instances: 5 } })
        .expect(200);
      await populate(h.auth);
      await populate(teamA);

      const res = await h.http.post('/admin/reset').set(h.adminAuth).send({}).expect(200);
      expect(res.body.deleted).toMatchObject({ instances: 2, volumes: 2, load_balancers: 2 });
      expect(res.body.project).toBeUndefined();
      await expectEmpty(h.auth);
      await expectEmpty(teamA);
      const quotas = await h.http.get('/v1/quotas').set(teamA).expect(200);
      expect(
        quotas.body.items.find((q: { metric: string }) => q.metric === 'instances').limit,
      ).toBe(5);
      // The same names and addresses are free again.
      await populate(h.auth);
    });

    it('should wipe one project only', async () => {
      const teamA = await projectWithToken(h, 'team-a');
      await populate(h.auth);
      await populate(teamA);
      const res = await h.http
        .post('/admin/reset')
        .set(h.adminAuth)
        .send({ project: 'team-a' })
        .expect(200);
      expect(res.body).toMatchObject({ project: 'team-a', deleted: { instances: 1 } });
      await expectEmpty(teamA);
      expect(await names('/v1/instances')).toEqual(['web']);
      expect(await names('/v1/load-balancers')).toEqual(['front']);
      expect(await usage(h.auth, 'instances')).toBe(1);
      await populate(teamA);
    });

    it('should drop projects and tokens when asked, keeping the default project and bootstrap tokens', async () => {
      const teamA = await projectWithToken(h, 'team-a');
      const extra = await h.http
        .post('/v1/projects/default/tokens')
        .set(h.adminAuth)
        .send({ name: 'ci' })
        .expect(201);
      await populate(teamA);
      await h.http.post('/admin/reset').set(h.adminAuth).send({ projects: true }).expect(200);
      await h.http.get('/v1/projects/team-a').set(h.adminAuth).expect(404);
      await h.http.get('/v1/instances').set(teamA).expect(401);
      await h.http
        .get('/v1/instances')
        .set({ Authorization: `Bearer ${extra.body.secret}` })
        .expect(401);
      await h.http.get('/v1/instances').set(h.auth).expect(200);
      // Tokens created afterwards get fresh ids, never a surviving token's.
      await projectWithToken(h, 'team-a');
    });

    it('should reset runtime settings when asked, but never the clock', async () => {
      await h.http
        .put('/admin/transitions')
        .set(h.adminAuth)
        .send({ 'instance.pending': '1m' })
        .expect(200);
      await h.http.post('/admin/clock').set(h.adminAuth).send({ advance: '1h' }).expect(200);
      const now = (await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body.now;
      await h.http.post('/admin/reset').set(h.adminAuth).send({ settings: true }).expect(200);
      const transitions = await h.http.get('/admin/transitions').set(h.adminAuth).expect(200);
      expect(transitions.body.overridesMs).toEqual({});
      expect((await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body.now).toBe(now);
    });

    it('should refuse a reset of an unknown project or with whole-reset options', async () => {
      await h.http.post('/admin/reset').set(h.adminAuth).send({ project: 'nope' }).expect(404);
      const res = await h.http
        .post('/admin/reset')
        .set(h.adminAuth)
        .send({ project: 'default', settings: true })
        .expect(400);
      expect(res.body.fieldViolations[0].field).toBe('settings');
      await h.http.post('/admin/reset').set(h.auth).send({}).expect(403);
    });
  });

  describe('snapshot', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    const take = async (): Promise<Buffer> => {
      const res = await h.http
        .get('/admin/snapshot')
        .set(h.adminAuth)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/vnd.sqlite3');
      expect(res.headers['x-nimbus-schema-version']).toMatch(/^[A-Za-z]+\d+$/);
      return res.body as Buffer;
    };

    const restore = (bytes: Buffer) =>
      h.http
        .post('/admin/snapshot')
        .set(h.adminAuth)
        .set('Content-Type', 'application/vnd.sqlite3')
        .send(bytes);

    it('should restore the state (and clock) of a snapshot without a restart', async () => {
      const kept = await createInstance('kept');
      h.clock.advance(2000);
      const takenAt = new Date(h.clock.now()).toISOString();
      const snapshot = await take();

      await h.http.delete(`/v1/instances/${kept.id}`).set(h.auth).expect(202);
      await createInstance('later');
      await projectWithToken(h, 'team-a');
      h.clock.advance(60_000);
      expect(await names('/v1/instances')).toEqual(['kept', 'later']);

      const res = await restore(snapshot).expect(200);
      expect(res.body.takenAt).toBe(takenAt);
      expect(res.body.schemaVersion.length).toBeGreaterThan(3);
      expect((await h.http.get('/admin/clock').set(h.adminAuth).expect(200)).body.now).toBe(
        takenAt,
      );
      const instances = (await h.http.get('/v1/instances').set(h.auth).expect(200)).body
        .items as Instance[];
      expect(instances.map((i) => [i.name, i.state])).toEqual([['kept', 'running']]);
      await h.http.get('/v1/projects/team-a').set(h.adminAuth).expect(404);
      // The restored state is live: it changes and settles as usual.
      await h.http.post(`/v1/instances/${kept.id}/stop`).set(h.auth).expect(202);
      h.clock.advance(1000);
      expect(
        (await h.http.get(`/v1/instances/${kept.id}`).set(h.auth).expect(200)).body.state,
      ).toBe('stopped');
      // ...and it survives a restart.
      await h.restart();
      expect(await names('/v1/instances')).toEqual(['kept']);
    });

    it('should refuse what is not a Nimbus snapshot, or one of another schema version', async () => {
      await createInstance('keep-me');
      const notSqlite = await restore(Buffer.from('hello, not a database')).expect(400);
      expect(notSqlite.body.fieldViolations[0].field).toBe('body');

      const dir = mkdtempSync(join(tmpdir(), 'nimbus-snapshot-test-'));
      try {
        const foreign = join(dir, 'foreign.sqlite');
        const db = new Database(foreign);
        db.exec('CREATE TABLE t (x)');
        db.close();
        const other = await restore(readFileSync(foreign)).expect(400);
        expect(other.body.fieldViolations[0].field).toBe('body');
        expect(other.body.detail).toContain('not a Nimbus snapshot');

        const old = join(dir, 'old.sqlite');
        writeFileSync(old, await take());
        const edit = new Database(old);
        edit.exec('DELETE FROM migrations WHERE id = (SELECT MAX(id) FROM migrations)');
        edit.close();
        const incompatible = await restore(readFileSync(old)).expect(400);
        expect(incompatible.body.code).toBe('INVALID_ARGUMENT');
        expect(incompatible.body.fieldViolations[0].field).toBe('schemaVersion');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const json = await h.http
        .post('/admin/snapshot')
        .set(h.adminAuth)
        .send({ snapshot: 'x' })
        .expect(400);
      expect(json.body.fieldViolations[0].field).toBe('body');
      expect(await names('/v1/instances')).toEqual(['keep-me']);
    });
  });

  describe('seed', () => {
    const run = async () => {
      const a = await createInstance('a', h.auth, { assignPublicIp: true });
      const b = await createInstance('b');
      return [a, b].map((i) => ({ id: i.id, privateIp: i.privateIp, publicIp: i.publicIp }));
    };

    it('should give two fresh servers with the same seed the same ids and IPs, and again after a reset', async () => {
      h = await startHarness({ seed: 'ci-42' });
      const first = await run();
      await h.close();
      h = await startHarness({ seed: 'ci-42' });
      expect(await run()).toEqual(first);
      expect((await h.http.get('/admin/seed').set(h.adminAuth).expect(200)).body).toEqual({
        seed: 'ci-42',
      });

      const reset = await h.http.post('/admin/reset').set(h.adminAuth).send({}).expect(200);
      expect(reset.body.seed).toBe('ci-42');
      const afterReset = await run();
      expect(afterReset.map((i) => i.privateIp)).toEqual(first.map((i) => i.privateIp));
      expect(afterReset[0].publicIp).toBe(first[0].publicIp);
      // The bootstrap tokens took the first ids of the fresh run; after a reset instances do.
      expect(new Set(afterReset.map((i) => i.id)).size).toBe(2);
      await h.http.post('/admin/reset').set(h.adminAuth).send({}).expect(200);
      expect(await run()).toEqual(afterReset);
    });

    it('should seed at runtime with POST /admin/seed', async () => {
      h = await startHarness();
      await h.http.post('/admin/seed').set(h.adminAuth).send({ seed: 'runtime' }).expect(200);
      await h.http.post('/admin/reset').set(h.adminAuth).send({}).expect(200);
      const first = await run();
      await h.http.post('/admin/reset').set(h.adminAuth).send({}).expect(200);
      expect(await run()).toEqual(first);
      // Stored: a restart keeps the seed.
      await h.restart();
      expect((await h.http.get('/admin/seed').set(h.adminAuth).expect(200)).body.seed).toBe(
        'runtime',
      );
      const bad = await h.http.post('/admin/seed').set(h.adminAuth).send({ seed: 42 }).expect(400);
      expect(bad.body.fieldViolations[0].field).toBe('seed');
      await h.http.delete('/admin/seed').set(h.adminAuth).expect(200, { seed: null });
    });
  });
});

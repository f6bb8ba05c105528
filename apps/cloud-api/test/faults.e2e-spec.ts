import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';
import { LatencyDelay } from '../src/faults/latency-delay';

interface Rule {
  id: string;
  hits: number;
  matchedCalls: number;
}

interface Instance {
  id: string;
  name: string;
  state: string;
}

describe('fault injection (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const addFault = async (body: Record<string, unknown>): Promise<Rule> =>
    (await h.http.post('/admin/faults').set(h.adminAuth).send(body).expect(201)).body as Rule;

  const rule = async (id: string): Promise<Rule> =>
    (await h.http.get(`/admin/faults/${id}`).set(h.adminAuth).expect(200)).body as Rule;

  const create = (name: string, extra: Record<string, unknown> = {}, headers = {}) =>
    h.http
      .post('/v1/instances')
      .set(h.auth)
      .set(headers)
      .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small', ...extra });

  const instances = async (): Promise<Instance[]> =>
    (await h.http.get('/v1/instances').set(h.auth).expect(200)).body.items as Instance[];

  const auditOf = async (query: Record<string, string>) =>
    (await h.http.get('/admin/audit').query(query).set(h.adminAuth).expect(200)).body.items as {
      operation: string;
      status: number;
      faultRuleId?: string;
      latencyMs: number;
    }[];

  describe('effects', () => {
    it('should answer an injected error as problem+json with the rule id and Retry-After, changing nothing', async () => {
      const fault = await addFault({
        match: { operation: 'instances.create' },
        effect: { type: 'error', status: 503, retryAfterSeconds: 2, message: 'zone is down' },
      });
      const res = await create('web-1').expect(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toMatchObject({
        status: 503,
        code: 'UNAVAILABLE',
        detail: 'zone is down',
        retryable: true,
        injectedFaultId: fault.id,
        retryAfterSeconds: 2,
      });
      expect(await instances()).toEqual([]);
      expect(await rule(fault.id)).toMatchObject({ hits: 1, matchedCalls: 1 });
      // Other operations are untouched; the faulted call is marked in the audit log.
      await h.http.get('/v1/instances').set(h.auth).expect(200);
      const audit = await auditOf({ faultRuleId: fault.id });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ operation: 'instances.create', status: 503 });
    });

    it('should commit then fail: the instance exists once and a retry with the same Idempotency-Key replays success', async () => {
      const fault = await addFault({
        match: { operation: 'instances.create' },
        trigger: { firstCalls: 1 },
        effect: { type: 'commitThenFail', status: 500 },
      });
      const failed = await create('ctf', {}, { 'Idempotency-Key': 'key-1' }).expect(500);
      expect(failed.body).toMatchObject({ code: 'INTERNAL', injectedFaultId: fault.id });
      expect(failed.headers.etag).toBeUndefined();
      expect(failed.headers.location).toBeUndefined();
      const committed = await instances();
      expect(committed.map((i) => i.name)).toEqual(['ctf']);

      const retry = await create('ctf', {}, { 'Idempotency-Key': 'key-1' }).expect(202);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.instance.id).toBe(committed[0].id);
      expect((await instances()).map((i) => i.id)).toEqual([committed[0].id]);
      const audit = await auditOf({ operation: 'instances.create' });
      expect(audit.map((a) => [a.status, a.faultRuleId])).toEqual([
        [500, fault.id],
        [202, undefined],
      ]);
    });

    it('should add latency before the call is served', async () => {
      // The delay is the test's: the call must wait for it, whatever the machine's speed.
      await h.close();
      const delay = new ReleasableDelay();
      h = await startHarness({}, { latencyDelay: delay });
      const fault = await addFault({
        match: { operation: 'zones.list' },
        effect: { type: 'latency', distribution: 'fixed', ms: 60 },
      });
      let answered = false;
      const call = h.http
        .get('/v1/zones')
        .set(h.auth)
        .then((res) => {
          answered = true;
          return res;
        });
      expect(await delay.requested()).toBe(60);
      // The guard is waiting on the delay: the call cannot have been served yet.
      expect(answered).toBe(false);
      delay.release();
      expect((await call).status).toBe(200);
      const [entry] = await auditOf({ operation: 'zones.list' });
      expect(entry.faultRuleId).toBe(fault.id);
    });

    it('should hang until the client gives up, and reset connections', async () => {
      const hang = await addFault({
        match: { operation: 'zones.list' },
        effect: { type: 'hang' },
      });
      await expect(h.http.get('/v1/zones').set(h.auth).timeout(300)).rejects.toThrow(/Timeout/);
      await h.http.delete(`/admin/faults/${hang.id}`).set(h.adminAuth).expect(204);

      const reset = await addFault({
        match: { operation: 'regions.list' },
        effect: { type: 'resetConnection' },
      });
      await expect(h.http.get('/v1/regions').set(h.auth)).rejects.toThrow(
        /socket hang up|ECONNRESET/,
      );
      await h.http.get('/v1/zones').set(h.auth).expect(200);
      const audit = await auditOf({ status: '0' });
      expect(audit.map((a) => [a.operation, a.faultRuleId])).toEqual([
        ['zones.list', hang.id],
        ['regions.list', reset.id],
      ]);
    });

    it('should keep a stuck operation running and its resource pending until the rule is deleted', async () => {
      const fault = await addFault({
        match: { operation: 'instances.create', resourceName: 'stuck-*' },
        effect: { type: 'stuckOperation' },
      });
      const stuck = (await create('stuck-1').expect(202)).body;
      const fine = (await create('fine-1').expect(202)).body;
      h.clock.advance(60_000);
      const get = async (id: string) =>
        (await h.http.get(`/v1/instances/${id}`).set(h.auth).expect(200)).body as Instance;
      expect((await get(stuck.instance.id)).state).toBe('pending');
      expect((await get(fine.instance.id)).state).toBe('running');
      const op = await h.http.get(`/v1/operations/${stuck.operation.id}`).set(h.auth).expect(200);
      expect(op.body.status).toBe('running');

      await h.http.delete(`/admin/faults/${fault.id}`).set(h.adminAuth).expect(204);
      expect((await get(stuck.instance.id)).state).toBe('running');
      const done = await h.http.get(`/v1/operations/${stuck.operation.id}`).set(h.auth).expect(200);
      expect(done.body).toMatchObject({
        status: 'done',
        doneAt: new Date(h.clock.now()).toISOString(),
      });
    });

    it('should hold a load balancer provisioning, with the updates that join it, until the rule is deleted', async () => {
      const fault = await addFault({
        match: { operation: 'loadBalancers.create' },
        effect: { type: 'stuckOperation' },
      });
      const listeners = [{ protocol: 'TCP', port: 80, targetPort: 30080 }];
      const created = (
        await h.http
          .post('/v1/load-balancers')
          .set(h.auth)
          .send({ name: 'svc', region: 'nimbus-1', listeners })
          .expect(202)
      ).body;
      const lbId = created.loadBalancer.id as string;
      h.clock.advance(60_000);
      const lb = await h.http.get(`/v1/load-balancers/${lbId}`).set(h.auth).expect(200);
      expect(lb.body.state).toBe('provisioning');
      const update = await h.http
        .put(`/v1/load-balancers/${lbId}`)
        .set(h.auth)
        .send({ listeners: [{ protocol: 'TCP', port: 443, targetPort: 30443 }] })
        .expect(202);
      h.clock.advance(60_000);
      expect(
        (await h.http.get(`/v1/load-balancers/${lbId}`).set(h.auth).expect(200)).body.state,
      ).toBe('provisioning');

      await h.http.delete(`/admin/faults/${fault.id}`).set(h.adminAuth).expect(204);
      expect(
        (await h.http.get(`/v1/load-balancers/${lbId}`).set(h.auth).expect(200)).body.state,
      ).toBe('active');
      for (const op of [created.operation.id, update.body.operation.id]) {
        expect((await h.http.get(`/v1/operations/${op}`).set(h.auth).expect(200)).body.status).toBe(
          'done',
        );
      }
    });

    it('should fail the operation when it would have ended and put the instance in error', async () => {
      const fault = await addFault({
        match: { operation: 'instances.create' },
        effect: { type: 'failedOperation', code: 'INTERNAL', message: 'hypervisor lost' },
      });
      const { instance, operation } = (await create('doomed').expect(202)).body;
      h.clock.advance(1000);
      expect(
        (await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200)).body.state,
      ).toBe('pending');
      h.clock.advance(500);
      const failed = await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200);
      expect(failed.body.state).toBe('error');
      expect(failed.body.etag).not.toBe(instance.etag);
      const op = await h.http.get(`/v1/operations/${operation.id}`).set(h.auth).expect(200);
      expect(op.body).toMatchObject({
        status: 'failed',
        error: { code: 'INTERNAL', detail: 'hypervisor lost', injectedFaultId: fault.id },
      });
      // An instance in error refuses start/stop but can be terminated.
      await h.http.post(`/v1/instances/${instance.id}/stop`).set(h.auth).expect(400);
      await h.http.delete(`/v1/instances/${instance.id}`).set(h.auth).expect(202);
      h.clock.advance(1000);
      expect(
        (await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200)).body.state,
      ).toBe('terminated');
    });

    it('should fail a volume attach: no attachment is left, the quota is released and the volume is in error', async () => {
      await create('host').expect(202);
      h.clock.advance(2000);
      const [host] = await instances();
      const volume = (
        await h.http
          .post('/v1/volumes')
          .set(h.auth)
          .send({ name: 'data', zone: 'nimbus-1a', sizeGiB: 10, type: 'standard' })
          .expect(202)
      ).body.volume;
      h.clock.advance(1000);
      await addFault({
        match: { operation: 'volumes.attach' },
        effect: { type: 'failedOperation' },
      });
      await h.http
        .post(`/v1/volumes/${volume.id}/attach`)
        .set(h.auth)
        .send({ instanceId: host.id })
        .expect(202);
      h.clock.advance(1000);
      const after = await h.http.get(`/v1/volumes/${volume.id}`).set(h.auth).expect(200);
      expect(after.body).toMatchObject({ state: 'error', attachments: [] });
      const quotas = (await h.http.get('/v1/quotas').set(h.auth).expect(200)).body.items as {
        metric: string;
        scope?: string;
      }[];
      expect(quotas.filter((q) => q.scope === host.id)).toEqual([]);
    });
  });

  describe('triggers', () => {
    const outcomes = async (n: number): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        statuses.push((await h.http.get('/v1/zones').set(h.auth)).status);
      }
      return statuses;
    };

    it('should fault only the nth matching call, or the first N', async () => {
      const nth = await addFault({
        match: { operation: 'zones.list' },
        trigger: { nthCall: 2 },
        effect: { type: 'error' },
      });
      expect(await outcomes(3)).toEqual([200, 503, 200]);
      expect(await rule(nth.id)).toMatchObject({ matchedCalls: 3, hits: 1 });
      await h.http.delete('/admin/faults').set(h.adminAuth).expect(204);

      await addFault({
        match: { operation: 'zones.list' },
        trigger: { firstCalls: 2 },
        effect: { type: 'error', status: 500 },
      });
      expect(await outcomes(4)).toEqual([500, 500, 200, 200]);
    });

    it('should repeat the same seeded probabilistic sequence', async () => {
      const body = {
        match: { operation: 'zones.list' },
        trigger: { probability: 0.5, seed: 'ci-run' },
        effect: { type: 'error' },
      };
      await addFault(body);
      const first = await outcomes(20);
      await h.http.delete('/admin/faults').set(h.adminAuth).expect(204);
      await addFault(body);
      expect(await outcomes(20)).toEqual(first);
      expect(first).toContain(200);
      expect(first).toContain(503);
    });

    it('should fault every call inside a window of clock time only', async () => {
      const now = h.clock.now();
      await addFault({
        match: { operation: 'zones.list' },
        trigger: {
          from: new Date(now + 10_000).toISOString(),
          until: new Date(now + 20_000).toISOString(),
        },
        effect: { type: 'error' },
      });
      expect(await outcomes(1)).toEqual([200]);
      h.clock.advance(10_000);
      expect(await outcomes(2)).toEqual([503, 503]);
      h.clock.advance(10_000);
      expect(await outcomes(1)).toEqual([200]);
    });
  });

  describe('matching', () => {
    it('should match by resource labels (stored or in the create request) and by resource id', async () => {
      const fault = await addFault({
        match: { operation: 'instances.*', labels: { team: 'a' } },
        effect: { type: 'error' },
      });
      await create('a-1', { labels: { team: 'a' } }).expect(503);
      const b = (await create('b-1', { labels: { team: 'b' } }).expect(202)).body.instance;
      await h.http.get(`/v1/instances/${b.id}`).set(h.auth).expect(200);
      // Relabelled to team=a: now faulted.
      await h.http
        .patch(`/v1/instances/${b.id}`)
        .set(h.auth)
        .send({ labels: { team: 'a' } })
        .expect(200);
      await h.http.get(`/v1/instances/${b.id}`).set(h.auth).expect(503);
      await h.http.delete(`/admin/faults/${fault.id}`).set(h.adminAuth).expect(204);

      const c = (await create('c-1').expect(202)).body.instance;
      await addFault({
        match: { resourceType: 'instance', resourceId: c.id, method: 'POST' },
        effect: { type: 'error', status: 409, code: 'CONFLICT' },
      });
      h.clock.advance(2000);
      const stop = await h.http.post(`/v1/instances/${c.id}/stop`).set(h.auth).expect(409);
      expect(stop.body.code).toBe('CONFLICT');
      await h.http.get(`/v1/instances/${c.id}`).set(h.auth).expect(200);
      await h.http.post(`/v1/instances/${b.id}/stop`).set(h.auth).expect(202);
    });

    it('should match by project and token name, and never fault the admin API', async () => {
      const other = await projectWithToken(h, 'p2');
      await addFault({ match: { project: 'p2' }, effect: { type: 'error' } });
      await h.http.get('/v1/zones').set(other).expect(503);
      await h.http.get('/v1/zones').set(h.auth).expect(200);
      await h.http.delete('/admin/faults').set(h.adminAuth).expect(204);

      await addFault({ match: { tokenName: 'main' }, effect: { type: 'error' } });
      await h.http.get('/v1/zones').set(other).expect(503);
      await h.http.get('/v1/zones').set(h.auth).expect(200);

      // A rule matching everything leaves /admin usable, so it can always be removed.
      await addFault({ effect: { type: 'error' } });
      await h.http.get('/v1/zones').set(h.auth).expect(503);
      await h.http.get('/admin/faults').set(h.adminAuth).expect(200);
      await h.http.delete('/admin/faults').set(h.adminAuth).expect(204);
      await h.http.get('/v1/zones').set(h.auth).expect(200);
    });
  });

  describe('admin API', () => {
    it('should validate rule bodies with field-named 400s and need an admin token', async () => {
      const bad = async (body: Record<string, unknown>) =>
        (
          (await h.http.post('/admin/faults').set(h.adminAuth).send(body).expect(400)).body
            .fieldViolations as { field: string }[]
        ).map((v) => v.field);
      expect(await bad({ effect: { type: 'explode' } })).toEqual(['effect.type']);
      expect(await bad({ effect: { type: 'latency' } })).toEqual(['effect.distribution']);
      expect(await bad({ effect: { type: 'latency', distribution: 'uniform', minMs: 5 } })).toEqual(
        ['effect.maxMs'],
      );
      expect(
        await bad({ trigger: { nthCall: 2, firstCalls: 1 }, effect: { type: 'error' } }),
      ).toEqual(['trigger.firstCalls']);
      expect(await bad({ effect: { type: 'error', ms: 5 } })).toEqual(['effect.ms']);
      expect(await bad({ effect: { type: 'commitThenFail', status: 404 } })).toEqual([
        'effect.status',
      ]);
      expect(
        await bad({ match: { labels: { 'bad key!': 'x' } }, effect: { type: 'error' } }),
      ).toEqual(['match.labels']);
      expect(await bad({ trigger: { probability: 2 }, effect: { type: 'error' } })).toEqual([
        'trigger.probability',
      ]);
      expect(await bad({ effect: { type: 'error' }, extra: 1 })).toEqual(['extra']);
      expect((await h.http.get('/admin/faults').set(h.adminAuth).expect(200)).body.items).toEqual(
        [],
      );
      await h.http
        .post('/admin/faults')
        .set(h.auth)
        .send({ effect: { type: 'error' } })
        .expect(403);
      await h.http.get('/admin/faults/fault-nope').set(h.adminAuth).expect(404);
    });

    it('should keep rules and their counters across a restart', async () => {
      const fault = await addFault({
        description: 'zones down',
        match: { operation: 'zones.list' },
        trigger: { nthCall: 2 },
        effect: { type: 'error' },
      });
      await h.http.get('/v1/zones').set(h.auth).expect(200);
      await h.restart();
      await h.http.get('/v1/zones').set(h.auth).expect(503);
      const list = (await h.http.get('/admin/faults').set(h.adminAuth).expect(200)).body.items;
      expect(list).toEqual([
        expect.objectContaining({
          id: fault.id,
          description: 'zones down',
          matchedCalls: 2,
          hits: 1,
        }),
      ]);
    });
  });
});

/** A latency delay the test ends: records what was asked for and waits until released. */
class ReleasableDelay extends LatencyDelay {
  private asked?: (ms: number) => void;
  private readonly askedFor = new Promise<number>((resolve) => (this.asked = resolve));
  private releaseNow?: () => void;

  wait(ms: number): Promise<void> {
    this.asked?.(ms);
    return new Promise((resolve) => (this.releaseNow = resolve));
  }

  requested(): Promise<number> {
    return this.askedFor;
  }

  release(): void {
    this.releaseNow?.();
  }
}

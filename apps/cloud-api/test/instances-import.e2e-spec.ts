import { startHarness, type Harness } from './cloud-api-harness';

interface Instance {
  id: string;
  name: string;
  state: string;
  imported: boolean;
  privateIp: string;
  providerId: string;
  zone: string;
  region: string;
  instanceType: string;
  hostname: string;
  labels: Record<string, string>;
}

interface Problem {
  code: string;
  detail: string;
  fieldViolations?: { field: string; description: string }[];
}

describe('POST /v1/instances:import (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const importInstance = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.http.post('/v1/instances:import').set(h.auth).set(headers).send(body);
  const liveCount = async (): Promise<number> =>
    ((await h.http.get('/v1/instances').set(h.auth).expect(200)).body.items as Instance[]).filter(
      (i) => i.state !== 'terminated',
    ).length;

  it('should record a running, imported instance that keeps its address outside the network CIDR', async () => {
    const res = await importInstance({
      name: 'kind-worker',
      privateIp: '172.18.0.3',
      labels: { 'nimbus.dev/cluster': 'kind' },
    }).expect(200);
    const { instance, operation } = res.body as {
      instance: Instance;
      operation: { id: string; kind: string; status: string; target: { id: string } };
    };
    expect(instance).toMatchObject({
      name: 'kind-worker',
      hostname: 'kind-worker',
      state: 'running',
      imported: true,
      privateIp: '172.18.0.3',
      // defaults: the first zone and the first instance type of the catalog
      zone: 'nimbus-1a',
      region: 'nimbus-1',
      instanceType: 'nb.small',
      labels: { 'nimbus.dev/cluster': 'kind' },
    });
    expect(instance.providerId).toBe(`nimbus://default/nimbus-1a/${instance.id}`);
    expect(operation).toMatchObject({
      kind: 'instances.import',
      status: 'done',
      target: { id: instance.id },
    });
    expect(res.headers.location).toBe(`/v1/operations/${operation.id}`);

    // A CCM finds it the way it finds any instance behind a node.
    const byIp = await h.http
      .get('/v1/instances')
      .query({ privateIp: '172.18.0.3' })
      .set(h.auth)
      .expect(200);
    expect((byIp.body.items as Instance[]).map((i) => i.id)).toEqual([instance.id]);
    const byName = await h.http
      .get('/v1/instances')
      .query({ name: 'kind-worker' })
      .set(h.auth)
      .expect(200);
    expect((byName.body.items as Instance[])[0]).toMatchObject({ imported: true });
  });

  it('should take the zone and instance type asked for and count them against the quotas', async () => {
    const before = await quotaUsage('vcpus');
    const { instance } = (
      await importInstance({
        name: 'minikube-m02',
        privateIp: '192.168.49.3',
        zone: 'nimbus-1b',
        instanceType: 'nb.large',
      }).expect(200)
    ).body as { instance: Instance };
    expect(instance).toMatchObject({ zone: 'nimbus-1b', instanceType: 'nb.large' });
    expect(await quotaUsage('vcpus')).toBe(before + 4);
  });

  it('should accept node names that are DNS subdomains (FQDN hostnames of real clusters)', async () => {
    const name = 'node-1.example.internal';
    const { instance } = (await importInstance({ name, privateIp: '10.200.0.7' }).expect(200))
      .body as { instance: Instance };
    expect(instance.name).toBe(name);
    const found = await h.http.get('/v1/instances').query({ name }).set(h.auth).expect(200);
    expect((found.body.items as Instance[]).map((i) => i.id)).toEqual([instance.id]);
  });

  it('should refuse stop, start and reboot of an imported instance, and forget it on DELETE', async () => {
    const { instance } = (
      await importInstance({ name: 'k3d-nimbus-agent-0', privateIp: '172.19.0.4' }).expect(200)
    ).body as { instance: Instance };
    for (const action of ['stop', 'start', 'reboot']) {
      const res = await h.http
        .post(`/v1/instances/${instance.id}/${action}`)
        .set(h.auth)
        .expect(400);
      expect(res.body as Problem).toMatchObject({ code: 'FAILED_PRECONDITION' });
      expect((res.body as Problem).detail).toContain('imported and runs outside Nimbus');
    }
    expect(
      (await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200)).body.state,
    ).toBe('running');

    await h.http.delete(`/v1/instances/${instance.id}`).set(h.auth).expect(202);
    h.clock.advance(1000);
    expect(
      (await h.http.get(`/v1/instances/${instance.id}`).set(h.auth).expect(200)).body.state,
    ).toBe('terminated');
    // Forgotten: the name and the address can be imported again.
    const again = await importInstance({
      name: 'k3d-nimbus-agent-0',
      privateIp: '172.19.0.4',
    }).expect(200);
    expect(again.body.instance.id).not.toBe(instance.id);
  });

  it('should answer 409 for a name or an address a live instance already has, changing nothing', async () => {
    await importInstance({ name: 'dup-a', privateIp: '172.20.0.2' }).expect(200);
    const count = await liveCount();
    const sameName = await importInstance({ name: 'dup-a', privateIp: '172.20.0.9' }).expect(409);
    expect(sameName.body as Problem).toMatchObject({ code: 'ALREADY_EXISTS' });
    const sameIp = await importInstance({ name: 'dup-b', privateIp: '172.20.0.2' }).expect(409);
    expect(sameIp.body as Problem).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect((sameIp.body as Problem).detail).toContain('dup-a');
    expect(await liveCount()).toBe(count);
  });

  it.each([
    [{ name: 'Kind_Worker', privateIp: '172.18.0.9' }, 'name'],
    [{ name: 'w', privateIp: '172.18.0' }, 'privateIp'],
    [{ name: 'w', privateIp: 'fc00::3' }, 'privateIp'],
    [{ name: 'w', privateIp: '0.0.0.0' }, 'privateIp'],
    [{ name: 'w', privateIp: '255.255.255.255' }, 'privateIp'],
    [{ name: 'w', privateIp: '224.0.0.1' }, 'privateIp'],
    [{ name: 'w', privateIp: '172.18.0.9', zone: 'mars-1a' }, 'zone'],
    [{ name: 'w', privateIp: '172.18.0.9', instanceType: 'huge' }, 'instanceType'],
    [{ privateIp: '172.18.0.9' }, 'name'],
    [{ name: 'w', privateIp: '172.18.0.9', labels: { 'bad key!': 'x' } }, 'labels'],
  ])('should refuse %j with 400 naming %s, changing nothing', async (body, field) => {
    const count = await liveCount();
    const res = await importInstance(body).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body as Problem).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((res.body as Problem).fieldViolations?.map((v) => v.field)).toContain(field);
    expect(await liveCount()).toBe(count);
  });

  it('should refuse unknown fields (strict validation)', async () => {
    const res = await importInstance({
      name: 'w',
      privateIp: '172.18.0.9',
      publicIp: '1.2.3.4',
    }).expect(400);
    expect((res.body as Problem).fieldViolations?.map((v) => v.field)).toContain('publicIp');
  });

  it('should replay the stored answer for a repeated Idempotency-Key', async () => {
    const body = { name: 'replayed', privateIp: '172.21.0.2' };
    const first = await importInstance(body, { 'Idempotency-Key': 'import-1' }).expect(200);
    const again = await importInstance(body, { 'Idempotency-Key': 'import-1' }).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.instance.id).toBe(first.body.instance.id);
    const other = await importInstance(
      { ...body, name: 'replayed-2' },
      { 'Idempotency-Key': 'import-1' },
    ).expect(409);
    expect(other.body as Problem).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('should answer 429 QUOTA_EXCEEDED when the instances quota is used up', async () => {
    const used = await quotaUsage('instances');
    await h.http
      .put('/v1/projects/default/quotas')
      .set(h.adminAuth)
      .send({ limits: { instances: used } })
      .expect(200);
    try {
      const res = await importInstance({ name: 'over', privateIp: '172.22.0.2' }).expect(429);
      expect(res.body as Problem).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    } finally {
      await h.http
        .put('/v1/projects/default/quotas')
        .set(h.adminAuth)
        .send({ limits: { instances: 1000 } })
        .expect(200);
    }
  });

  it('should be audited as instances.import', async () => {
    const { instance } = (
      await importInstance({ name: 'audited', privateIp: '172.23.0.2' }).expect(200)
    ).body as { instance: Instance };
    const entries = (
      await h.http
        .get('/admin/audit')
        .query({ operation: 'instances.import' })
        .set(h.adminAuth)
        .expect(200)
    ).body.items as { operation: string; resourceId?: string; status: number }[];
    expect(entries.at(-1)).toMatchObject({
      operation: 'instances.import',
      resourceId: instance.id,
      status: 200,
    });
  });

  async function quotaUsage(metric: string): Promise<number> {
    const res = await h.http.get('/v1/quotas').set(h.auth).expect(200);
    const entry = (res.body.items as { metric: string; usage: number; scope?: string }[]).find(
      (q) => q.metric === metric && q.scope === undefined,
    );
    return entry?.usage ?? 0;
  }
});

describe('an imported address inside a zone subnet', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('should never be handed to a simulated instance while the import holds it', async () => {
    // 10.0.0.4 is the first address the allocator hands out in nimbus-1a.
    await h.http
      .post('/v1/instances:import')
      .set(h.auth)
      .send({ name: 'vm-on-the-subnet', privateIp: '10.0.0.4', zone: 'nimbus-1a' })
      .expect(200);
    const created = await h.http
      .post('/v1/instances')
      .set(h.auth)
      .send({ name: 'simulated', zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    expect(created.body.instance.privateIp).not.toBe('10.0.0.4');
    expect(created.body.instance.imported).toBe(false);
  });
});

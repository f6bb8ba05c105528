import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Instance {
  id: string;
  state: string;
  privateIp: string;
  etag: string;
  volumes: unknown[];
}

describe('out-of-band admin changes (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const running = async (name: string, auth = h.auth): Promise<Instance> => {
    const res = await h.http
      .post('/v1/instances')
      .set(auth)
      .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small' })
      .expect(202);
    h.clock.advance(2000);
    return res.body.instance as Instance;
  };

  const get = async (id: string, auth = h.auth): Promise<Instance> =>
    (await h.http.get(`/v1/instances/${id}`).set(auth).expect(200)).body as Instance;

  const operationsOf = async (id: string) =>
    (await h.http.get('/v1/operations').query({ targetId: id }).set(h.auth).expect(200)).body
      .items as { kind: string }[];

  const oob = (path: string, body: Record<string, unknown> = {}) =>
    h.http.post(`/admin${path}`).set(h.adminAuth).send(body);

  it('should crash and stop instances at once, without an operation, and audit them as out-of-band', async () => {
    const a = await running('a');
    const crashed = await oob(`/instances/${a.id}/crash`).expect(200);
    expect(crashed.body).toMatchObject({ id: a.id, state: 'stopped' });
    expect(crashed.body.etag).not.toBe(a.etag);
    expect((await get(a.id)).state).toBe('stopped');
    expect((await operationsOf(a.id)).map((o) => o.kind)).toEqual(['instances.create']);
    const again = await oob(`/instances/${a.id}/crash`).expect(400);
    expect(again.body.code).toBe('FAILED_PRECONDITION');

    const b = await running('b');
    expect((await oob(`/instances/${b.id}/stop`).expect(200)).body.state).toBe('stopped');
    await oob(`/instances/${b.id}/stop`).expect(400);
    // The instance starts again through the normal API.
    await h.http.post(`/v1/instances/${b.id}/start`).set(h.auth).expect(202);

    const audit = (
      await h.http.get('/admin/audit').query({ outOfBand: 'true' }).set(h.adminAuth).expect(200)
    ).body.items as { operation: string; resourceId: string; status: number }[];
    expect(audit.map((e) => [e.operation, e.resourceId, e.status])).toEqual([
      ['admin.instances.crash', a.id, 200],
      ['admin.instances.crash', a.id, 400],
      ['admin.instances.stop', b.id, 200],
      ['admin.instances.stop', b.id, 400],
    ]);
  });

  it('should terminate at once with the side effects of a normal termination', async () => {
    const node = await running('node');
    const volume = (
      await h.http
        .post('/v1/volumes')
        .set(h.auth)
        .send({ name: 'pv', zone: 'nimbus-1a', sizeGiB: 10, type: 'standard' })
        .expect(202)
    ).body.volume;
    h.clock.advance(1000);
    await h.http
      .post(`/v1/volumes/${volume.id}/attach`)
      .set(h.auth)
      .send({ instanceId: node.id })
      .expect(202);
    const network = (await h.http.get('/v1/networks').set(h.auth).expect(200)).body.items[0];
    const route = (
      await h.http
        .post(`/v1/networks/${network.id}/routes`)
        .set(h.auth)
        .send({ name: 'pods', destinationCidr: '10.244.0.0/24', nextHop: { instanceId: node.id } })
        .expect(202)
    ).body.route;
    const lb = (
      await h.http
        .post('/v1/load-balancers')
        .set(h.auth)
        .send({
          name: 'svc',
          region: 'nimbus-1',
          listeners: [{ protocol: 'TCP', port: 80, targetPort: 30080 }],
          backends: [{ instanceId: node.id }],
        })
        .expect(202)
    ).body.loadBalancer;
    h.clock.advance(2000);

    const res = await oob(`/instances/${node.id}/terminate`).expect(200);
    expect(res.body).toMatchObject({ state: 'terminated', volumes: [] });
    expect((await h.http.get(`/v1/volumes/${volume.id}`).set(h.auth).expect(200)).body.state).toBe(
      'available',
    );
    expect(
      (await h.http.get(`/v1/networks/${network.id}/routes/${route.id}`).set(h.auth).expect(200))
        .body.state,
    ).toBe('blackhole');
    expect(
      (await h.http.get(`/v1/load-balancers/${lb.id}`).set(h.auth).expect(200)).body.backends,
    ).toEqual([]);
    const quotas = (await h.http.get('/v1/quotas').set(h.auth).expect(200)).body.items as {
      metric: string;
      usage: number;
      scope?: string;
    }[];
    expect(quotas.find((q) => q.metric === 'instances' && !q.scope)?.usage).toBe(0);
    await oob(`/instances/${node.id}/terminate`).expect(400);
  });

  it("should change an instance's private IP; routes through it follow", async () => {
    const node = await running('node');
    const other = await running('other');
    const network = (await h.http.get('/v1/networks').set(h.auth).expect(200)).body.items[0];
    const route = (
      await h.http
        .post(`/v1/networks/${network.id}/routes`)
        .set(h.auth)
        .send({ name: 'pods', destinationCidr: '10.244.0.0/24', nextHop: { instanceId: node.id } })
        .expect(202)
    ).body.route;

    const moved = (await oob(`/instances/${node.id}/private-ip`).expect(200)).body as Instance;
    expect(moved.privateIp).not.toBe(node.privateIp);
    expect(
      (await h.http.get('/v1/instances').query({ privateIp: moved.privateIp }).set(h.auth)).body
        .items[0].id,
    ).toBe(node.id);
    expect(
      (await h.http.get(`/v1/networks/${network.id}/routes/${route.id}`).set(h.auth).expect(200))
        .body.nextHop.ip,
    ).toBe(moved.privateIp);

    // A chosen address: free and in the zone's subnet; the old one is free again.
    const chosen = await oob(`/instances/${node.id}/private-ip`, { privateIp: node.privateIp });
    expect(chosen.status).toBe(200);
    expect(chosen.body.privateIp).toBe(node.privateIp);
    const taken = await oob(`/instances/${node.id}/private-ip`, { privateIp: other.privateIp });
    expect(taken.status).toBe(400);
    expect(taken.body.detail).toContain('already in use');
    await oob(`/instances/${node.id}/private-ip`, { privateIp: '192.168.1.1' }).expect(400);
    const bad = await oob(`/instances/${node.id}/private-ip`, { privateIp: 'nope' }).expect(400);
    expect(bad.body.fieldViolations[0].field).toBe('privateIp');
  });

  it('should delete load balancers and routes of any project at once', async () => {
    const p2 = await projectWithToken(h, 'p2');
    const node = await running('node', p2);
    const lb = (
      await h.http
        .post('/v1/load-balancers')
        .set(p2)
        .send({
          name: 'svc',
          region: 'nimbus-1',
          listeners: [{ protocol: 'TCP', port: 80, targetPort: 30080 }],
        })
        .expect(202)
    ).body.loadBalancer;
    const network = (await h.http.get('/v1/networks').set(p2).expect(200)).body.items[0];
    const route = (
      await h.http
        .post(`/v1/networks/${network.id}/routes`)
        .set(p2)
        .send({ name: 'pods', destinationCidr: '10.244.0.0/24', nextHop: { instanceId: node.id } })
        .expect(202)
    ).body.route;

    await oob(`/load-balancers/${lb.id}/delete`).expect(204);
    await h.http.get(`/v1/load-balancers/${lb.id}`).set(p2).expect(404);
    await oob(`/routes/${route.id}/delete`).expect(204);
    await h.http.get(`/v1/networks/${network.id}/routes/${route.id}`).set(p2).expect(404);
    const quotas = (await h.http.get('/v1/quotas').set(p2).expect(200)).body.items as {
      metric: string;
      usage: number;
      scope?: string;
    }[];
    expect(quotas.find((q) => q.metric === 'loadBalancers')?.usage).toBe(0);
    expect(quotas.find((q) => q.metric === 'publicIps')?.usage).toBe(0);
    expect(quotas.filter((q) => q.metric === 'routesPerNetwork' && q.scope)).toEqual([]);

    await oob(`/load-balancers/${lb.id}/delete`).expect(404);
    await oob(`/routes/${route.id}/delete`).expect(404);
    await h.http.post(`/admin/instances/${node.id}/crash`).set(p2).expect(403);
    expect((await get(node.id, p2)).state).toBe('running');
  });
});

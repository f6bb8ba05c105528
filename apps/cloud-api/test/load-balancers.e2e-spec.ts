import { tempDir } from '@app/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Backend {
  instanceId: string;
  ip: string;
  health: string;
  endpoints: { protocol: string; listenerPort: number; ip: string; port: number }[];
}

interface LoadBalancer {
  id: string;
  name: string;
  region: string;
  state: string;
  publicIps: { ipFamily: string; ip: string }[];
  ipFamilies: string[];
  listeners: { protocol: string; port: number; targetPort: number }[];
  backends: Backend[];
  healthCheck: Record<string, unknown>;
  algorithm: string;
  sessionAffinity: Record<string, unknown>;
  allowedSourceRanges: string[];
  labels: Record<string, string>;
  etag: string;
}

type Auth = { Authorization: string };

const LISTENERS = [{ protocol: 'TCP', port: 80, targetPort: 30080 }];

describe('load balancers (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const restart = async (options: Record<string, unknown>) => {
    await h.close();
    h = await startHarness(options);
  };

  const instance = async (
    name: string,
    auth: Auth = h.auth,
    zone = 'nimbus-1a',
  ): Promise<{ id: string; privateIp: string }> =>
    (
      await h.http
        .post('/v1/instances')
        .set(auth)
        .send({ name, zone, instanceType: 'nb.small' })
        .expect(202)
    ).body.instance;

  const create = (
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    auth: Auth = h.auth,
  ) =>
    h.http
      .post('/v1/load-balancers')
      .set(auth)
      .set(headers)
      .send({ region: 'nimbus-1', listeners: LISTENERS, ...body });

  const createLb = async (body: Record<string, unknown>): Promise<LoadBalancer> =>
    (await create(body).expect(202)).body.loadBalancer as LoadBalancer;

  const get = async (id: string): Promise<LoadBalancer> =>
    (await h.http.get(`/v1/load-balancers/${id}`).set(h.auth).expect(200)).body as LoadBalancer;

  const count = async (): Promise<number> =>
    (await h.http.get('/v1/load-balancers').set(h.auth).expect(200)).body.items.length;

  it('should create a load balancer with defaults, a public IP and backend addresses, provisioning → active', async () => {
    const a = await instance('node-a');
    const b = await instance('node-b');
    const res = await create({
      name: 'shop-web',
      listeners: [
        { protocol: 'TCP', port: 80, targetPort: 30080 },
        { protocol: 'UDP', port: 80, targetPort: 30053 },
      ],
      backends: [{ instanceId: a.id }, { instanceId: b.id }],
      labels: { cluster: 'demo' },
    }).expect(202);
    const lb = res.body.loadBalancer as LoadBalancer;
    expect(res.headers.etag).toBe(`"${lb.etag}"`);
    expect(res.body.operation).toMatchObject({ kind: 'load-balancers.create', status: 'running' });
    expect(lb).toMatchObject({
      name: 'shop-web',
      region: 'nimbus-1',
      state: 'provisioning',
      ipFamilies: ['IPv4'],
      healthCheck: {
        protocol: 'TCP',
        port: 30080,
        intervalSeconds: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      algorithm: 'round_robin',
      sessionAffinity: { type: 'none' },
      allowedSourceRanges: ['0.0.0.0/0'],
      labels: { cluster: 'demo' },
    });
    expect(lb.healthCheck.path).toBeUndefined();
    expect(lb.publicIps).toEqual([
      { ipFamily: 'IPv4', ip: expect.stringMatching(/^203\.0\.113\.\d+$/) },
    ]);
    expect(lb.backends).toEqual([
      {
        instanceId: a.id,
        ip: a.privateIp,
        health: 'unknown',
        endpoints: [
          { protocol: 'TCP', listenerPort: 80, ip: a.privateIp, port: 30080 },
          { protocol: 'UDP', listenerPort: 80, ip: a.privateIp, port: 30053 },
        ],
      },
      expect.objectContaining({ instanceId: b.id, ip: b.privateIp, health: 'unknown' }),
    ]);

    h.clock.advance(1499);
    expect((await get(lb.id)).state).toBe('provisioning');
    h.clock.advance(1);
    const active = await get(lb.id);
    expect(active.state).toBe('active');
    expect(active.etag).not.toBe(lb.etag);
    const op = await h.http.get(`/v1/operations/${res.body.operation.id}`).set(h.auth).expect(200);
    expect(op.body.status).toBe('done');
  });

  it('should default the region of a single-region cloud', async () => {
    const res = await h.http
      .post('/v1/load-balancers')
      .set(h.auth)
      .send({ name: 'regionless', listeners: LISTENERS })
      .expect(202);
    expect(res.body.loadBalancer.region).toBe('nimbus-1');
  });

  it('should take every option: dual stack, HTTP health check, affinity, source ranges, requested IP', async () => {
    const lb = await createLb({
      name: 'dual',
      ipFamilies: ['IPv4', 'IPv6'],
      requestedIp: '2001:DB8:1000::10',
      healthCheck: { protocol: 'HTTP', port: 10256, intervalSeconds: 5 },
      algorithm: 'source_ip_hash',
      sessionAffinity: { type: 'client_ip' },
      allowedSourceRanges: ['192.0.2.77/24', '2001:db8:abcd::/48', '192.0.2.0/24'],
    });
    expect(lb.publicIps).toEqual([
      { ipFamily: 'IPv4', ip: expect.stringMatching(/^203\.0\.113\.\d+$/) },
      { ipFamily: 'IPv6', ip: '2001:db8:1000::10' },
    ]);
    expect(lb.healthCheck).toEqual({
      protocol: 'HTTP',
      port: 10256,
      path: '/healthz',
      intervalSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    });
    expect(lb.algorithm).toBe('source_ip_hash');
    expect(lb.sessionAffinity).toEqual({ type: 'client_ip', timeoutSeconds: 10800 });
    // Host bits are cleared and duplicates dropped, as Kubernetes accepts source ranges.
    expect(lb.allowedSourceRanges).toEqual(['192.0.2.0/24', '2001:db8:abcd::/48']);

    const v6only = await createLb({ name: 'v6', ipFamilies: ['IPv6'] });
    expect(v6only.publicIps).toEqual([
      { ipFamily: 'IPv6', ip: expect.stringMatching(/^2001:db8:1000::/) },
    ]);
    expect(v6only.publicIps[0].ip).not.toBe('2001:db8:1000::10');
    expect(v6only.allowedSourceRanges).toEqual(['::/0']);
  });

  it('should answer 400 naming the field for every broken rule, writing nothing', async () => {
    const node = await instance('node-a');
    const field = async (body: Record<string, unknown>) => {
      const res = await create({ name: 'lb', ...body }).expect(400);
      expect(res.body.code).toBe('INVALID_ARGUMENT');
      return res.body.fieldViolations[0].field as string;
    };
    expect(await field({ name: 'Not_DNS' })).toBe('name');
    expect(await field({ region: 'mars-1' })).toBe('region');
    expect(await field({ listeners: [] })).toBe('listeners');
    expect(await field({ listeners: [{ protocol: 'TCP', port: 0, targetPort: 1 }] })).toBe(
      'listeners[0].port',
    );
    expect(await field({ listeners: [{ protocol: 'TCP', port: 80, targetPort: 65536 }] })).toBe(
      'listeners[0].targetPort',
    );
    expect(await field({ listeners: [{ protocol: 'SCTP', port: 80, targetPort: 80 }] })).toBe(
      'listeners[0].protocol',
    );
    expect(
      await field({
        listeners: [
          { protocol: 'TCP', port: 80, targetPort: 30080 },
          { protocol: 'UDP', port: 80, targetPort: 30081 },
          { protocol: 'TCP', port: 80, targetPort: 30082 },
        ],
      }),
    ).toBe('listeners[2].port');
    expect(await field({ healthCheck: { protocol: 'TCP', path: '/healthz' } })).toBe(
      'healthCheck.path',
    );
    expect(await field({ healthCheck: { protocol: 'HTTP', path: 'healthz' } })).toBe(
      'healthCheck.path',
    );
    expect(await field({ healthCheck: { intervalSeconds: 0 } })).toBe(
      'healthCheck.intervalSeconds',
    );
    expect(await field({ healthCheck: { healthyThreshold: 11 } })).toBe(
      'healthCheck.healthyThreshold',
    );
    expect(await field({ algorithm: 'random' })).toBe('algorithm');
    expect(await field({ sessionAffinity: { type: 'cookie' } })).toBe('sessionAffinity.type');
    expect(await field({ sessionAffinity: { type: 'none', timeoutSeconds: 60 } })).toBe(
      'sessionAffinity.timeoutSeconds',
    );
    expect(await field({ allowedSourceRanges: ['10.0.0.0/8', '10.0.0.0/40'] })).toBe(
      'allowedSourceRanges[1]',
    );
    expect(await field({ allowedSourceRanges: ['nope'] })).toBe('allowedSourceRanges[0]');
    expect(await field({ ipFamilies: ['IPv5'] })).toBe('ipFamilies');
    expect(await field({ ipFamilies: ['IPv4', 'IPv4'] })).toBe('ipFamilies');
    expect(await field({ ipFamilies: [] })).toBe('ipFamilies');
    expect(await field({ requestedIp: 'not-an-ip' })).toBe('requestedIp');
    expect(await field({ requestedIp: '2001:db8:1000::5' })).toBe('requestedIp');
    expect(await field({ backends: [{ instanceId: 'i-00000000000000000' }] })).toBe(
      'backends[0].instanceId',
    );
    expect(await field({ backends: [{ instanceId: node.id }, { instanceId: node.id }] })).toBe(
      'backends[1].instanceId',
    );
    expect(await field({ labels: { 'bad key!': 'x' } })).toBe('labels');
    expect(await field({ color: 'blue' })).toBe('color');
    expect(await count()).toBe(0);
  });

  it('should refuse a requested IP outside the pool or in use, and backends that are terminated', async () => {
    const outside = await create({ name: 'a', requestedIp: '198.51.100.7' }).expect(400);
    expect(outside.body.code).toBe('FAILED_PRECONDITION');
    expect(outside.body.detail).toContain('203.0.113.0/24');
    const broadcast = await create({ name: 'a', requestedIp: '203.0.113.255' }).expect(400);
    expect(broadcast.body.code).toBe('FAILED_PRECONDITION');

    const first = await createLb({ name: 'first', requestedIp: '203.0.113.50' });
    expect(first.publicIps[0].ip).toBe('203.0.113.50');
    const taken = await create({ name: 'second', requestedIp: '203.0.113.50' }).expect(400);
    expect(taken.body.code).toBe('FAILED_PRECONDITION');
    expect(taken.body.detail).toContain('already in use');

    const node = await instance('node-a');
    await h.http.delete(`/v1/instances/${node.id}`).set(h.auth).expect(202);
    const dead = await create({ name: 'second', backends: [{ instanceId: node.id }] }).expect(400);
    expect(dead.body.code).toBe('FAILED_PRECONDITION');
    expect(await count()).toBe(1);

    // Deleted: the address goes back to the pool once the load balancer is gone.
    await h.http.delete(`/v1/load-balancers/${first.id}`).set(h.auth).expect(202);
    await create({ name: 'second', requestedIp: '203.0.113.50' }).expect(400);
    h.clock.advance(1000);
    await create({ name: 'second', requestedIp: '203.0.113.50' }).expect(202);
  });

  it('should refuse backends in another region', async () => {
    const dir = tempDir('nimbus-catalog-');
    try {
      const catalog = join(dir.path, 'catalog.json');
      writeFileSync(
        catalog,
        JSON.stringify({
          regions: [
            { name: 'east', zones: ['east-a'] },
            { name: 'west', zones: ['west-a'] },
          ],
          instanceTypes: [{ name: 'nb.small', vcpus: 1, memoryMiB: 2048, maxAttachedVolumes: 8 }],
        }),
      );
      await restart({ catalog });
      const westNode = await instance('w1', h.auth, 'west-a');
      const eastNode = await instance('e1', h.auth, 'east-a');
      const res = await create({
        name: 'east-lb',
        region: 'east',
        backends: [{ instanceId: eastNode.id }, { instanceId: westNode.id }],
      }).expect(400);
      expect(res.body.fieldViolations[0]).toEqual({
        field: 'backends[1].instanceId',
        description: expect.stringContaining('region west'),
      });
      await create({
        name: 'east-lb',
        region: 'east',
        backends: [{ instanceId: eastNode.id }],
      }).expect(202);
      // With two regions the region cannot be guessed.
      const unnamed = await h.http
        .post('/v1/load-balancers')
        .set(h.auth)
        .send({ name: 'no-region', listeners: LISTENERS })
        .expect(400);
      expect(unnamed.body.fieldViolations).toEqual([
        {
          field: 'region',
          description: expect.stringMatching(/^is required: the cloud has 2 regions/),
        },
      ]);
    } finally {
      dir.remove();
    }
  });

  it('should never hand out a pool address twice: exhausted → FAILED_PRECONDITION, reused after delete', async () => {
    await restart({ lbIpv4Pool: '203.0.113.0/30' });
    const a = await createLb({ name: 'a' });
    const b = await createLb({ name: 'b' });
    const ips = [a.publicIps[0].ip, b.publicIps[0].ip].sort();
    expect(ips).toEqual(['203.0.113.1', '203.0.113.2']);
    const full = await create({ name: 'c' }).expect(400);
    expect(full.body.code).toBe('FAILED_PRECONDITION');
    expect(full.body.detail).toContain('exhausted');

    const del = await h.http.delete(`/v1/load-balancers/${a.id}`).set(h.auth).expect(202);
    expect(del.body.loadBalancer.state).toBe('deleting');
    expect(del.body.operation.kind).toBe('load-balancers.delete');
    // Held while deleting; the name is still taken too.
    await create({ name: 'c' }).expect(400);
    expect((await create({ name: 'a' }).expect(409)).body.code).toBe('ALREADY_EXISTS');
    // A second delete while deleting is a no-op.
    await h.http.delete(`/v1/load-balancers/${a.id}`).set(h.auth).expect(200);
    h.clock.advance(1000);
    await h.http.get(`/v1/load-balancers/${a.id}`).set(h.auth).expect(404);
    const c = await createLb({ name: 'c' });
    expect(c.publicIps[0].ip).toBe(a.publicIps[0].ip);
  });

  it('should reject a bad pool option at start-up', async () => {
    await expect(startHarness({ lbIpv4Pool: '203.0.113.0/31' })).rejects.toThrow(/lb-ipv4-pool/);
    await expect(startHarness({ lbIpv6Pool: '2001:db8::/64' })).rejects.toThrow(/lb-ipv6-pool/);
  });

  it('should replace the spec with PUT under If-Match: updating → active; unchanged is a no-op', async () => {
    const a = await instance('node-a');
    const b = await instance('node-b');
    const lb = await createLb({ name: 'web', backends: [{ instanceId: a.id }] });
    h.clock.advance(1500);
    const current = await get(lb.id);
    const spec = {
      listeners: [{ protocol: 'TCP', port: 443, targetPort: 30443 }],
      backends: [{ instanceId: b.id }],
      healthCheck: { protocol: 'HTTP', port: 10256, path: '/ready' },
      algorithm: 'least_connections',
      sessionAffinity: { type: 'client_ip', timeoutSeconds: 60 },
      allowedSourceRanges: ['198.51.100.0/24'],
    };
    const stale = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .set('If-Match', `"${lb.etag}"`)
      .send(spec)
      .expect(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    expect((await get(lb.id)).listeners).toEqual(LISTENERS);

    const res = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .set('If-Match', `"${current.etag}"`)
      .send(spec)
      .expect(202);
    const updated = res.body.loadBalancer as LoadBalancer;
    expect(res.body.operation).toMatchObject({ kind: 'load-balancers.update', status: 'running' });
    expect(updated).toMatchObject({
      state: 'updating',
      listeners: spec.listeners,
      healthCheck: { protocol: 'HTTP', port: 10256, path: '/ready' },
      algorithm: 'least_connections',
      sessionAffinity: { type: 'client_ip', timeoutSeconds: 60 },
      allowedSourceRanges: ['198.51.100.0/24'],
    });
    expect(updated.backends.map((x) => x.instanceId)).toEqual([b.id]);
    expect(updated.backends[0].endpoints).toEqual([
      { protocol: 'TCP', listenerPort: 443, ip: b.privateIp, port: 30443 },
    ]);
    expect(updated.publicIps).toEqual(lb.publicIps);
    h.clock.advance(1000);
    const settled = await get(lb.id);
    expect(settled.state).toBe('active');

    const same = await h.http.put(`/v1/load-balancers/${lb.id}`).set(h.auth).send(spec).expect(200);
    expect(same.body.operation.status).toBe('done');
    expect(same.body.loadBalancer.etag).toBe(settled.etag);

    const bad = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .send({ ...spec, name: 'renamed' })
      .expect(400);
    expect(bad.body.fieldViolations[0].field).toBe('name');
    const badRange = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .send({ ...spec, allowedSourceRanges: ['::/0', 'x/1'] })
      .expect(400);
    expect(badRange.body.fieldViolations[0].field).toBe('allowedSourceRanges[1]');

    await h.http.delete(`/v1/load-balancers/${lb.id}`).set(h.auth).expect(202);
    const deleting = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .send(spec)
      .expect(400);
    expect(deleting.body.code).toBe('FAILED_PRECONDITION');
  });

  it('should add and remove backends alone, idempotently and under If-Match', async () => {
    const a = await instance('node-a');
    const b = await instance('node-b');
    const lb = await createLb({ name: 'web', backends: [{ instanceId: a.id }] });
    h.clock.advance(1500);
    const add = (ids: string[], headers: Record<string, string> = {}) =>
      h.http
        .post(`/v1/load-balancers/${lb.id}/backends:add`)
        .set(h.auth)
        .set(headers)
        .send({ instanceIds: ids });
    const remove = (ids: string[]) =>
      h.http
        .post(`/v1/load-balancers/${lb.id}/backends:remove`)
        .set(h.auth)
        .send({ instanceIds: ids });

    const stale = await add([b.id], { 'If-Match': `"${lb.etag}"` }).expect(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    const added = await add([b.id, a.id]).expect(202);
    expect(added.body.loadBalancer.state).toBe('updating');
    expect(added.body.operation.kind).toBe('load-balancers.add-backends');
    expect((added.body.loadBalancer as LoadBalancer).backends.map((x) => x.instanceId)).toEqual([
      a.id,
      b.id,
    ]);
    h.clock.advance(1000);
    expect((await add([a.id]).expect(200)).body.operation.status).toBe('done');
    const unknown = await add(['i-00000000000000000']).expect(400);
    expect(unknown.body.fieldViolations[0].field).toBe('instanceIds[0]');
    const empty = await add([]).expect(400);
    expect(empty.body.fieldViolations[0].field).toBe('instanceIds');

    const removed = await remove([a.id, 'i-00000000000000000']).expect(202);
    expect(removed.body.operation.kind).toBe('load-balancers.remove-backends');
    expect((removed.body.loadBalancer as LoadBalancer).backends.map((x) => x.instanceId)).toEqual([
      b.id,
    ]);
    expect((await remove([a.id]).expect(200)).body.operation.status).toBe('done');
    await h.http
      .post('/v1/load-balancers/lb-00000000000000000/backends:add')
      .set(h.auth)
      .send({ instanceIds: [a.id] })
      .expect(404);
  });

  it('should drop backends whose instance terminates', async () => {
    const a = await instance('node-a');
    const b = await instance('node-b');
    const lb = await createLb({
      name: 'web',
      backends: [{ instanceId: a.id }, { instanceId: b.id }],
    });
    h.clock.advance(1500);
    const before = await get(lb.id);
    await h.http.delete(`/v1/instances/${a.id}`).set(h.auth).expect(202);
    h.clock.advance(999);
    expect((await get(lb.id)).backends).toHaveLength(2);
    h.clock.advance(1);
    const after = await get(lb.id);
    expect(after.backends.map((x) => x.instanceId)).toEqual([b.id]);
    expect(after.etag).not.toBe(before.etag);
  });

  it('should list with paging, name, state and label filters', async () => {
    for (let i = 0; i < 5; i++) {
      await createLb({ name: `lb-${i}`, labels: { cluster: i % 2 === 0 ? 'blue' : 'green' } });
    }
    h.clock.advance(1500);
    await createLb({ name: 'late', labels: { cluster: 'blue' } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await h.http
        .get('/v1/load-balancers')
        .query({ pageSize: 2, ...(token ? { pageToken: token } : {}) })
        .set(h.auth)
        .expect(200);
      seen.push(...(res.body.items as LoadBalancer[]).map((x) => x.name));
      token = res.body.nextPageToken as string | undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['lb-0', 'lb-1', 'lb-2', 'lb-3', 'lb-4', 'late']);

    const names = async (query: string) =>
      (
        (await h.http.get(`/v1/load-balancers?${query}`).set(h.auth).expect(200)).body
          .items as LoadBalancer[]
      ).map((x) => x.name);
    expect(await names('name=lb-3')).toEqual(['lb-3']);
    expect(await names('labelSelector=cluster%3Dgreen')).toEqual(['lb-1', 'lb-3']);
    expect(await names('state=provisioning')).toEqual(['late']);
    expect(await names('labelSelector=cluster%3Dblue&state=active')).toEqual([
      'lb-0',
      'lb-2',
      'lb-4',
    ]);
    expect(await names('region=nimbus-1&name=late')).toEqual(['late']);
    const first = await h.http
      .get('/v1/load-balancers?pageSize=1&name=lb-0')
      .set(h.auth)
      .expect(200);
    expect(first.body.nextPageToken).toBeUndefined();
    const tokenPage = await h.http.get('/v1/load-balancers?pageSize=1').set(h.auth).expect(200);
    await h.http
      .get(`/v1/load-balancers?pageSize=1&name=lb-1&pageToken=${tokenPage.body.nextPageToken}`)
      .set(h.auth)
      .expect(400);
    await h.http.get('/v1/load-balancers?state=melting').set(h.auth).expect(400);
  });

  it("should keep projects apart: another project's load balancer is 404 and its instances are no backends", async () => {
    const other = await projectWithToken(h, 'team-b');
    const theirs = (await create({ name: 'theirs' }, {}, other).expect(202)).body
      .loadBalancer as LoadBalancer;
    expect(
      (await h.http.get(`/v1/load-balancers/${theirs.id}`).set(h.auth).expect(404)).body.code,
    ).toBe('NOT_FOUND');
    await h.http
      .put(`/v1/load-balancers/${theirs.id}`)
      .set(h.auth)
      .send({ listeners: LISTENERS })
      .expect(404);
    await h.http.delete(`/v1/load-balancers/${theirs.id}`).set(h.auth).expect(404);
    await h.http
      .post(`/v1/load-balancers/${theirs.id}/backends:remove`)
      .set(h.auth)
      .send({ instanceIds: ['i-1'] })
      .expect(404);
    // Names are per project.
    await create({ name: 'theirs' }).expect(202);
    const theirNode = await instance('node-b', other);
    const res = await create({ name: 'mine', backends: [{ instanceId: theirNode.id }] }).expect(
      400,
    );
    expect(res.body.fieldViolations[0].field).toBe('backends[0].instanceId');
    expect(await count()).toBe(1);
  });

  it('should refuse to delete a project that still has load balancers', async () => {
    const other = await projectWithToken(h, 'team-b');
    const lb = (await create({ name: 'theirs' }, {}, other).expect(202)).body
      .loadBalancer as LoadBalancer;
    const refused = await h.http.delete('/v1/projects/team-b').set(h.adminAuth).expect(400);
    expect(refused.body.code).toBe('FAILED_PRECONDITION');
    expect(refused.body.detail).toContain('1 load balancer(s)');
    await h.http.delete(`/v1/load-balancers/${lb.id}`).set(other).expect(202);
    h.clock.advance(1000);
    await h.http.delete('/v1/projects/team-b').set(h.adminAuth).expect(200);
  });

  it('should replay an idempotent create and refuse the key for a different request', async () => {
    const key = { 'Idempotency-Key': 'lb-create-1' };
    const first = await create({ name: 'web' }, key).expect(202);
    h.clock.advance(2000);
    const replay = await create({ name: 'web' }, key).expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await create({ name: 'web-2' }, key).expect(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count()).toBe(1);
  });

  it('should enforce the loadBalancers and publicIps quotas and release them when gone', async () => {
    await restart({ quotas: 'loadBalancers=2,publicIps=2' });
    const dual = await createLb({ name: 'dual', ipFamilies: ['IPv4', 'IPv6'] });
    const ips = await create({ name: 'one-more' }).expect(429);
    expect(ips.body).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      metadata: { quotaMetric: 'publicIps', limit: 2, usage: 2, requested: 1 },
    });
    await h.http.delete(`/v1/load-balancers/${dual.id}`).set(h.auth).expect(202);
    h.clock.advance(1000);
    await createLb({ name: 'a' });
    await createLb({ name: 'b' });
    const lbs = await create({ name: 'c' }).expect(429);
    expect(lbs.body.metadata.quotaMetric).toBe('loadBalancers');
    const quotas = (await h.http.get('/v1/quotas').set(h.auth).expect(200)).body.items as {
      metric: string;
      usage: number;
    }[];
    expect(quotas.find((q) => q.metric === 'loadBalancers')?.usage).toBe(2);
    expect(quotas.find((q) => q.metric === 'publicIps')?.usage).toBe(2);
  });

  it('should be active at once and gone at once when transitions take 0 ms', async () => {
    await restart({ transitionMs: 0 });
    const res = await create({ name: 'fast' }).expect(200);
    expect(res.body.loadBalancer.state).toBe('active');
    const del = await h.http
      .delete(`/v1/load-balancers/${res.body.loadBalancer.id}`)
      .set(h.auth)
      .expect(200);
    expect(del.body.operation.status).toBe('done');
    await h.http.get(`/v1/load-balancers/${res.body.loadBalancer.id}`).set(h.auth).expect(404);
    // The address and the name are free again.
    const ip = (res.body.loadBalancer as LoadBalancer).publicIps[0].ip;
    const again = await create({ name: 'fast', requestedIp: ip }).expect(200);
    expect(again.body.loadBalancer.publicIps).toEqual([{ ipFamily: 'IPv4', ip }]);
  });
});

import { projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Network {
  id: string;
  name: string;
  cidr: string;
  default: boolean;
  subnets: { zone: string; cidr: string }[];
  etag: string;
}

interface Route {
  id: string;
  name: string;
  networkId: string;
  destinationCidr: string;
  nextHop: { instanceId: string; ip: string };
  description?: string;
  state: string;
  overlaps: string[];
  etag: string;
}

type Auth = { Authorization: string };

describe('networks and routes (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const networks = async (auth: Auth = h.auth): Promise<Network[]> =>
    (await h.http.get('/v1/networks').set(auth).expect(200)).body.items as Network[];

  const defaultNetwork = async (auth: Auth = h.auth): Promise<Network> =>
    (await networks(auth)).find((n) => n.default)!;

  const instance = async (
    name: string,
    auth: Auth = h.auth,
  ): Promise<{ id: string; privateIp: string }> =>
    (
      await h.http
        .post('/v1/instances')
        .set(auth)
        .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(202)
    ).body.instance;

  const createNetwork = async (name: string, cidr: string): Promise<Network> =>
    (await h.http.post('/v1/networks').set(h.auth).send({ name, cidr }).expect(200)).body
      .network as Network;

  const createRoute = (
    networkId: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    auth: Auth = h.auth,
  ) => h.http.post(`/v1/networks/${networkId}/routes`).set(auth).set(headers).send(body);

  /** Creates a route that must be accepted (202). */
  const addRoute = async (
    networkId: string,
    name: string,
    destinationCidr: string,
    instanceId: string,
  ): Promise<Route> =>
    (await createRoute(networkId, { name, destinationCidr, nextHop: { instanceId } }).expect(202))
      .body.route as Route;

  const getRoute = async (networkId: string, id: string): Promise<Route> =>
    (await h.http.get(`/v1/networks/${networkId}/routes/${id}`).set(h.auth).expect(200))
      .body as Route;

  const routeCount = async (networkId: string): Promise<number> =>
    (await h.http.get(`/v1/networks/${networkId}/routes`).set(h.auth).expect(200)).body.items
      .length;

  describe('networks', () => {
    it('should give every project a default network with the zone subnets, including admin-created projects', async () => {
      const net = await defaultNetwork();
      expect(net).toMatchObject({ name: 'default', cidr: '10.0.0.0/16', default: true });
      const zones = (await h.http.get('/v1/zones').set(h.auth).expect(200)).body.items as {
        name: string;
        subnetCidr: string;
      }[];
      expect(net.subnets).toEqual(zones.map((z) => ({ zone: z.name, cidr: z.subnetCidr })));
      const got = await h.http.get(`/v1/networks/${net.id}`).set(h.auth).expect(200);
      expect(got.headers.etag).toBe(`"${net.etag}"`);
      // Listing twice does not create a second one.
      expect((await networks()).filter((n) => n.default)).toHaveLength(1);

      const other = await projectWithToken(h, 'team-b');
      const theirs = await defaultNetwork(other);
      expect(theirs).toMatchObject({ name: 'default', default: true });
      expect(theirs.id).not.toBe(net.id);
    });

    it('should honour the networkCidr option for default networks', async () => {
      await h.close();
      h = await startHarness({ networkCidr: '172.16.0.0/16' });
      expect((await defaultNetwork()).cidr).toBe('172.16.0.0/16');
    });

    it('should create, page through and delete networks', async () => {
      const created = await h.http
        .post('/v1/networks')
        .set(h.auth)
        .send({ name: 'storage', cidr: '10.1.0.0/16' })
        .expect(200);
      expect(created.body.network).toMatchObject({
        name: 'storage',
        cidr: '10.1.0.0/16',
        default: false,
        subnets: [],
      });
      expect(created.body.operation).toMatchObject({ kind: 'networks.create', status: 'done' });
      for (let i = 0; i < 4; i++) {
        await h.http
          .post('/v1/networks')
          .set(h.auth)
          .send({ name: `n${i}`, cidr: `10.${10 + i}.0.0/24` })
          .expect(200);
      }
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await h.http
          .get('/v1/networks')
          .query({ pageSize: 2, ...(token ? { pageToken: token } : {}) })
          .set(h.auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        names.push(...(page.body.items as Network[]).map((n) => n.name));
        token = page.body.nextPageToken as string | undefined;
      } while (token);
      expect(names).toEqual(['default', 'storage', 'n0', 'n1', 'n2', 'n3']);
      expect(
        (await h.http.get('/v1/networks?name=n2').set(h.auth).expect(200)).body.items,
      ).toHaveLength(1);

      const id = created.body.network.id as string;
      const stale = await h.http
        .delete(`/v1/networks/${id}`)
        .set(h.auth)
        .set('If-Match', '"stale"')
        .expect(412);
      expect(stale.body.code).toBe('PRECONDITION_FAILED');
      const deleted = await h.http
        .delete(`/v1/networks/${id}`)
        .set(h.auth)
        .set('If-Match', `"${created.body.network.etag}"`)
        .expect(200);
      expect(deleted.body.operation).toMatchObject({ kind: 'networks.delete', status: 'done' });
      await h.http.get(`/v1/networks/${id}`).set(h.auth).expect(404);
    });

    it('should reject bad CIDRs and names naming the field, and duplicate names, writing nothing', async () => {
      const post = (body: Record<string, unknown>) =>
        h.http.post('/v1/networks').set(h.auth).send(body);
      for (const cidr of ['10.1.0.0', '10.1.0.0/33', '300.1.0.0/16', '2001:db8::/64', 'x']) {
        const res = await post({ name: 'n', cidr }).expect(400);
        expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect(res.body.fieldViolations[0].field).toBe('cidr');
      }
      const hostBits = await post({ name: 'n', cidr: '10.1.2.3/16' }).expect(400);
      expect(hostBits.body.fieldViolations[0]).toEqual({
        field: 'cidr',
        description: expect.stringContaining('did you mean 10.1.0.0/16'),
      });
      const tooSmall = await post({ name: 'n', cidr: '10.1.0.0/29' }).expect(400);
      expect(tooSmall.body.fieldViolations[0].field).toBe('cidr');
      const name = await post({ name: 'Bad_Name', cidr: '10.1.0.0/16' }).expect(400);
      expect(name.body.fieldViolations[0].field).toBe('name');
      const dup = await post({ name: 'default', cidr: '10.1.0.0/16' }).expect(409);
      expect(dup.body.code).toBe('ALREADY_EXISTS');
      expect((await networks()).map((n) => n.name)).toEqual(['default']);
    });

    it('should refuse to delete the default network and networks that have routes', async () => {
      const net = await defaultNetwork();
      const res = await h.http.delete(`/v1/networks/${net.id}`).set(h.auth).expect(400);
      expect(res.body.code).toBe('FAILED_PRECONDITION');
      expect(res.body.detail).toContain('default network');

      const custom = await createNetwork('pods', '10.2.0.0/16');
      const node = await instance('node-1');
      const route = await addRoute(custom.id, 'r1', '10.244.0.0/24', node.id);
      const busy = await h.http.delete(`/v1/networks/${custom.id}`).set(h.auth).expect(400);
      expect(busy.body.code).toBe('FAILED_PRECONDITION');
      expect(busy.body.detail).toContain('1 route(s)');
      await h.http.delete(`/v1/networks/${custom.id}/routes/${route.id}`).set(h.auth).expect(200);
      await h.http.delete(`/v1/networks/${custom.id}`).set(h.auth).expect(200);
    });

    it('should delete networks and routes with their project', async () => {
      const other = await projectWithToken(h, 'team-b');
      const before = await defaultNetwork(other);
      await h.http
        .post('/v1/networks')
        .set(other)
        .send({ name: 'extra', cidr: '10.7.0.0/16' })
        .expect(200);
      await h.http.delete('/v1/projects/team-b').set(h.adminAuth).expect(200);
      const again = await projectWithToken(h, 'team-b');
      const after = await networks(again);
      expect(after.map((n) => n.name)).toEqual(['default']);
      expect(after[0].id).not.toBe(before.id);
    });

    it("should answer 404 for another project's network and its routes", async () => {
      const other = await projectWithToken(h, 'team-b');
      const theirs = await defaultNetwork(other);
      const mine = await defaultNetwork();
      const res = await h.http.get(`/v1/networks/${theirs.id}`).set(h.auth).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      await h.http.delete(`/v1/networks/${theirs.id}`).set(h.auth).expect(404);
      await h.http.get(`/v1/networks/${theirs.id}/routes`).set(h.auth).expect(404);
      const node = await instance('node-1');
      await createRoute(theirs.id, {
        name: 'r',
        destinationCidr: '10.244.0.0/24',
        nextHop: { instanceId: node.id },
      }).expect(404);
      const route = await addRoute(mine.id, 'r', '10.244.0.0/24', node.id);
      await h.http.get(`/v1/networks/${mine.id}/routes/${route.id}`).set(other).expect(404);
      await h.http.delete(`/v1/networks/${mine.id}/routes/${route.id}`).set(other).expect(404);
      // Another project's instance is no next hop here.
      const theirNode = await instance('node-b', other);
      const foreign = await createRoute(mine.id, {
        name: 'r2',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: theirNode.id },
      }).expect(400);
      expect(foreign.body.fieldViolations[0].field).toBe('nextHop.instanceId');
    });
  });

  describe('routes', () => {
    it('should create a route that goes creating → active, and get, list and delete it', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const res = await createRoute(net.id, {
        name: 'node-1-pods',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: node.id },
        description: 'k8s-node-route',
      }).expect(202);
      const route = res.body.route as Route;
      expect(route).toMatchObject({
        name: 'node-1-pods',
        networkId: net.id,
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: node.id, ip: node.privateIp },
        description: 'k8s-node-route',
        state: 'creating',
        overlaps: [],
      });
      expect(res.headers.etag).toBe(`"${route.etag}"`);
      expect(res.body.operation).toMatchObject({ kind: 'routes.create', status: 'running' });

      h.clock.advance(999);
      expect((await getRoute(net.id, route.id)).state).toBe('creating');
      h.clock.advance(1);
      const active = await getRoute(net.id, route.id);
      expect(active.state).toBe('active');
      expect(active.etag).not.toBe(route.etag);

      const stale = await h.http
        .delete(`/v1/networks/${net.id}/routes/${route.id}`)
        .set(h.auth)
        .set('If-Match', `"${route.etag}"`)
        .expect(412);
      expect(stale.body.code).toBe('PRECONDITION_FAILED');
      const del = await h.http
        .delete(`/v1/networks/${net.id}/routes/${route.id}`)
        .set(h.auth)
        .set('If-Match', `"${active.etag}"`)
        .expect(200);
      expect(del.body.operation).toMatchObject({ kind: 'routes.delete', status: 'done' });
      await h.http.get(`/v1/networks/${net.id}/routes/${route.id}`).set(h.auth).expect(404);
      expect(await routeCount(net.id)).toBe(0);
    });

    it('should refuse a duplicate destination or name and report overlapping destinations', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const hop = { instanceId: node.id };
      const route = (name: string, destinationCidr: string) =>
        addRoute(net.id, name, destinationCidr, node.id);
      const wide = await route('wide', '10.244.0.0/16');
      const narrow = await route('narrow', '10.244.1.0/24');
      const apart = await route('apart', '10.245.0.0/24');
      const v6 = await route('v6', '2001:DB8:0:1::/64');
      expect(v6.destinationCidr).toBe('2001:db8:0:1::/64');
      expect(narrow.overlaps).toEqual([wide.id]);
      expect((await getRoute(net.id, wide.id)).overlaps).toEqual([narrow.id]);
      expect(apart.overlaps).toEqual([]);
      expect(v6.overlaps).toEqual([]);

      const dup = await createRoute(net.id, {
        name: 'other',
        destinationCidr: '10.244.1.0/24',
        nextHop: hop,
      }).expect(409);
      expect(dup.body.code).toBe('ALREADY_EXISTS');
      expect(dup.body.detail).toContain(narrow.id);
      const dupV6 = await createRoute(net.id, {
        name: 'other',
        destinationCidr: '2001:db8:0:1:0::/64',
        nextHop: hop,
      }).expect(409);
      expect(dupV6.body.code).toBe('ALREADY_EXISTS');
      const dupName = await createRoute(net.id, {
        name: 'wide',
        destinationCidr: '10.246.0.0/24',
        nextHop: hop,
      }).expect(409);
      expect(dupName.body.code).toBe('ALREADY_EXISTS');
      expect(await routeCount(net.id)).toBe(4);
    });

    it('should answer 400 naming the field for bad destinations and next hops, writing nothing', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const hop = { instanceId: node.id };
      const field = async (body: Record<string, unknown>) =>
        (await createRoute(net.id, body).expect(400)).body.fieldViolations[0].field as string;
      expect(await field({ name: 'r', destinationCidr: '10.244.1.0', nextHop: hop })).toBe(
        'destinationCidr',
      );
      expect(await field({ name: 'r', destinationCidr: '10.244.1.7/24', nextHop: hop })).toBe(
        'destinationCidr',
      );
      expect(await field({ name: 'r', destinationCidr: '2001:db8::1/64', nextHop: hop })).toBe(
        'destinationCidr',
      );
      expect(await field({ name: 'r', destinationCidr: '10.244.1.0/24' })).toBe('nextHop');
      expect(
        await field({ name: 'r', destinationCidr: '10.244.1.0/24', nextHop: { instanceId: 7 } }),
      ).toBe('nextHop.instanceId');
      expect(
        await field({
          name: 'r',
          destinationCidr: '10.244.1.0/24',
          nextHop: { instanceId: node.id, ip: '10.0.0.1' },
        }),
      ).toBe('nextHop.ip');
      const unknown = await createRoute(net.id, {
        name: 'r',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: 'i-00000000000000000' },
      }).expect(400);
      expect(unknown.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(unknown.body.fieldViolations[0]).toEqual({
        field: 'nextHop.instanceId',
        description: expect.stringContaining('no instance'),
      });
      expect(await field({ name: 'R!', destinationCidr: '10.244.1.0/24', nextHop: hop })).toBe(
        'name',
      );
      await h.http
        .post('/v1/networks/net-nope/routes')
        .set(h.auth)
        .send({
          name: 'r',
          destinationCidr: '10.244.1.0/24',
          nextHop: hop,
        })
        .expect(404);
      expect(await routeCount(net.id)).toBe(0);
    });

    it('should refuse a next hop that is terminated', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      await h.http.delete(`/v1/instances/${node.id}`).set(h.auth).expect(202);
      const res = await createRoute(net.id, {
        name: 'r',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: node.id },
      }).expect(400);
      expect(res.body.code).toBe('FAILED_PRECONDITION');
      expect(await routeCount(net.id)).toBe(0);
    });

    it('should replay an idempotent route create and refuse the key for a different request', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const key = { 'Idempotency-Key': 'route-node-1' };
      const body = {
        name: 'r1',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: node.id },
      };
      const first = await createRoute(net.id, body, key).expect(202);
      h.clock.advance(5000);
      const replay = await createRoute(net.id, body, key).expect(202);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.etag).toBe(first.headers.etag);
      expect(await routeCount(net.id)).toBe(1);
      const reused = await createRoute(
        net.id,
        { ...body, destinationCidr: '10.244.2.0/24' },
        key,
      ).expect(409);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await routeCount(net.id)).toBe(1);
    });

    it('should turn routes into blackholes when the next hop is terminated', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const keep = await instance('node-2');
      const doomed = await addRoute(net.id, 'r1', '10.244.1.0/24', node.id);
      await createRoute(net.id, {
        name: 'r2',
        destinationCidr: '10.244.2.0/24',
        nextHop: { instanceId: keep.id },
      }).expect(202);
      h.clock.advance(2000);
      const before = await getRoute(net.id, doomed.id);
      expect(before.state).toBe('active');

      await h.http.delete(`/v1/instances/${node.id}`).set(h.auth).expect(202);
      h.clock.advance(999);
      expect((await getRoute(net.id, doomed.id)).state).toBe('active');
      h.clock.advance(1);
      const after = await getRoute(net.id, doomed.id);
      expect(after.state).toBe('blackhole');
      expect(after.etag).not.toBe(before.etag);
      const holes = await h.http
        .get(`/v1/networks/${net.id}/routes?state=blackhole`)
        .set(h.auth)
        .expect(200);
      expect((holes.body.items as Route[]).map((r) => r.name)).toEqual(['r1']);
      // Still a blackhole once the terminated instance has expired.
      h.clock.advance(2 * 3_600_000);
      expect((await getRoute(net.id, doomed.id)).state).toBe('blackhole');
    });

    it('should blackhole a route still creating when its next hop terminates first', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      h.clock.advance(2000);
      const route = await addRoute(net.id, 'r1', '10.244.1.0/24', node.id);
      await h.http.delete(`/v1/instances/${node.id}`).set(h.auth).expect(202);
      h.clock.advance(5000);
      expect((await getRoute(net.id, route.id)).state).toBe('blackhole');
    });

    it('should enforce routesPerNetwork per network, release it on delete, and show it in quotas', async () => {
      await h.close();
      h = await startHarness({ quotas: 'routesPerNetwork=2' });
      const net = await defaultNetwork();
      const other = await createNetwork('other', '10.9.0.0/16');
      const node = await instance('node-1');
      const hop = { instanceId: node.id };
      const first = (
        await createRoute(net.id, { name: 'a', destinationCidr: '10.244.1.0/24', nextHop: hop })
      ).body.route as Route;
      await createRoute(net.id, {
        name: 'b',
        destinationCidr: '10.244.2.0/24',
        nextHop: hop,
      }).expect(202);
      const over = await createRoute(net.id, {
        name: 'c',
        destinationCidr: '10.244.3.0/24',
        nextHop: hop,
      }).expect(429);
      expect(over.body).toMatchObject({
        code: 'QUOTA_EXCEEDED',
        retryable: false,
        metadata: {
          quotaMetric: 'routesPerNetwork',
          limit: 2,
          usage: 2,
          requested: 1,
          scope: net.id,
        },
      });
      // The limit is per network.
      await createRoute(other.id, {
        name: 'c',
        destinationCidr: '10.244.3.0/24',
        nextHop: hop,
      }).expect(202);
      const quotas = (await h.http.get('/v1/quotas').set(h.auth).expect(200)).body.items as {
        metric: string;
        scope?: string;
        usage: number;
      }[];
      expect(quotas).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ metric: 'routesPerNetwork', scope: net.id, usage: 2 }),
          expect.objectContaining({ metric: 'routesPerNetwork', scope: other.id, usage: 1 }),
        ]),
      );
      await h.http.delete(`/v1/networks/${net.id}/routes/${first.id}`).set(h.auth).expect(200);
      await createRoute(net.id, {
        name: 'c',
        destinationCidr: '10.244.3.0/24',
        nextHop: hop,
      }).expect(202);
    });

    it('should take 60 concurrent creates against a limit of 50 without a 500 or going over', async () => {
      const net = await defaultNetwork();
      const node = await instance('node-1');
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          createRoute(net.id, {
            name: `r-${i}`,
            destinationCidr: `10.244.${i}.0/24`,
            nextHop: { instanceId: node.id },
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(50);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      expect(await routeCount(net.id)).toBe(50);
    });

    it('should page routes with opaque tokens and filter them', async () => {
      const net = await defaultNetwork();
      const a = await instance('node-a');
      const b = await instance('node-b');
      for (let i = 0; i < 7; i++) {
        await createRoute(net.id, {
          name: `r-${i}`,
          destinationCidr: `10.244.${i}.0/24`,
          nextHop: { instanceId: i % 2 === 0 ? a.id : b.id },
        }).expect(202);
      }
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await h.http
          .get(`/v1/networks/${net.id}/routes`)
          .query({ pageSize: 3, ...(token ? { pageToken: token } : {}) })
          .set(h.auth)
          .expect(200);
        seen.push(...(res.body.items as Route[]).map((r) => r.name));
        token = res.body.nextPageToken as string | undefined;
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6']);

      const names = async (query: string) =>
        (
          (await h.http.get(`/v1/networks/${net.id}/routes?${query}`).set(h.auth).expect(200)).body
            .items as Route[]
        ).map((r) => r.name);
      expect(await names(`nextHopInstanceId=${b.id}`)).toEqual(['r-1', 'r-3', 'r-5']);
      expect(await names(`destinationCidr=${encodeURIComponent('10.244.4.0/24')}`)).toEqual([
        'r-4',
      ]);
      expect(await names('name=r-6')).toEqual(['r-6']);
      expect(await names('state=creating')).toHaveLength(7);

      const first = await h.http
        .get(`/v1/networks/${net.id}/routes?pageSize=2&nextHopInstanceId=${a.id}`)
        .set(h.auth)
        .expect(200);
      const changed = await h.http
        .get(
          `/v1/networks/${net.id}/routes?pageSize=2&nextHopInstanceId=${b.id}&pageToken=${first.body.nextPageToken}`,
        )
        .set(h.auth)
        .expect(400);
      expect(changed.body.fieldViolations[0].field).toBe('pageToken');
      await h.http.get(`/v1/networks/${net.id}/routes?state=lost`).set(h.auth).expect(400);
      await h.http
        .get(`/v1/networks/${net.id}/routes?destinationCidr=nonsense`)
        .set(h.auth)
        .expect(400);
    });

    it('should make routes active at once when transitions take 0 ms', async () => {
      await h.close();
      h = await startHarness({ transitionMs: 0 });
      const net = await defaultNetwork();
      const node = (
        await h.http
          .post('/v1/instances')
          .set(h.auth)
          .send({ name: 'n', zone: 'nimbus-1a', instanceType: 'nb.small' })
          .expect(200)
      ).body.instance as { id: string };
      const res = await createRoute(net.id, {
        name: 'r',
        destinationCidr: '10.244.1.0/24',
        nextHop: { instanceId: node.id },
      }).expect(200);
      expect(res.body.route.state).toBe('active');
      expect(res.body.operation.status).toBe('done');
    });
  });
});

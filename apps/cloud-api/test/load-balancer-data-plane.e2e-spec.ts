import { createServer, type Server } from 'node:net';
import { hostAddressOf } from '@app/common';
import {
  EchoBackend,
  EchoClient,
  startEchoBackends,
  udpRequest,
  waitFor,
  whoAnswers,
} from '@app/testing';
import { startHarness, type Harness } from './cloud-api-harness';

/**
 * Load balancers that forward: real sockets on loopback. Each harness takes a random LB pool
 * (203.0.R.0/24 → 127.203.R.x) and a random network (10.N.0.0/16 → instances at 127.N.x.y, N in
 * 100–149), and every backend a free port, so parallel runs never meet.
 */

interface DataPlanePort {
  protocol: string;
  port: number;
  ipFamily: string;
  state: string;
  address?: string;
  hostPort?: number;
  message?: string;
}

interface LoadBalancer {
  id: string;
  state: string;
  publicIps: { ipFamily: string; ip: string }[];
  etag: string;
  backends: {
    instanceId: string;
    health: string;
    healthChangedAt?: string;
    healthDetail?: string;
  }[];
  dataPlane: {
    mode: string;
    address: string;
    state: string;
    message?: string;
    healthyBackends: number;
    ports: DataPlanePort[];
  };
}

interface Instance {
  id: string;
  name: string;
  privateIp: string;
}

// Generous: the machine is shared; no test asserts on durations.
jest.setTimeout(60_000);

const rand = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Fast health checks so failover tests wait for seconds, not minutes. */
const FAST_HEALTH = { intervalSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 1 };

function randomNetworkOptions(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transitionMs: 0,
    lbIpv4Pool: `203.0.${rand(1, 254)}.0/24`,
    networkCidr: `10.${rand(100, 149)}.0.0/16`,
    ...extra,
  };
}

/** Test-side helpers bound to one harness. */
function cloud(h: () => Harness) {
  let seq = 0;
  const api = {
    async instances(n: number): Promise<Instance[]> {
      const list: Instance[] = [];
      for (let i = 0; i < n; i++) {
        const res = await h()
          .http.post('/v1/instances')
          .set(h().auth)
          .send({ name: `node-${++seq}`, zone: 'nimbus-1a', instanceType: 'nb.small' })
          .expect((r) => expect([200, 202]).toContain(r.status));
        list.push(res.body.instance as Instance);
      }
      return list;
    },
    /** One EchoBackend per instance at the instance's host address, all on one free port. */
    async backends(instances: Instance[], udp = false): Promise<EchoBackend[]> {
      return startEchoBackends(
        instances.map((i) => ({ name: i.name, address: hostAddressOf(i.privateIp)! })),
        { udp },
      );
    },
    async create(body: Record<string, unknown>): Promise<LoadBalancer> {
      const res = await h()
        .http.post('/v1/load-balancers')
        .set(h().auth)
        .send({ name: `lb-${++seq}`, region: 'nimbus-1', ...body });
      if (res.status >= 300) {
        throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return res.body.loadBalancer as LoadBalancer;
    },
    async get(id: string): Promise<LoadBalancer> {
      return (await h().http.get(`/v1/load-balancers/${id}`).set(h().auth).expect(200))
        .body as LoadBalancer;
    },
    /** Polls the load balancer until `ok` holds for it. */
    async until(
      id: string,
      ok: (lb: LoadBalancer) => boolean,
      what: string,
    ): Promise<LoadBalancer> {
      return waitFor(async () => {
        const lb = await api.get(id);
        return ok(lb) ? lb : undefined;
      }, `${id}: ${what}`);
    },
    /** Waits until the load balancer holds no open connection (per its /metrics). */
    idle: (id: string) =>
      waitFor(async () => {
        const text = (await h().http.get('/metrics').expect(200)).text;
        const open = text
          .split('\n')
          .filter((l) =>
            l.startsWith(`nimbus_load_balancer_active_connections{load_balancer="${id}"`),
          )
          .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
        return open === 0;
      }, `${id}: no open connection`),
    serving: (id: string) =>
      api.until(id, (lb) => lb.dataPlane.state === 'serving', 'dataPlane serving'),
    allHealthy: (id: string) =>
      api.until(
        id,
        (lb) => lb.backends.length > 0 && lb.backends.every((b) => b.health === 'healthy'),
        'every backend healthy',
      ),
    port(lb: LoadBalancer, protocol = 'TCP', port?: number, family = 'IPv4'): DataPlanePort {
      const p = lb.dataPlane.ports.find(
        (x) =>
          x.protocol === protocol &&
          x.ipFamily === family &&
          (port === undefined || x.port === port),
      );
      if (!p?.hostPort) {
        throw new Error(
          `no ${protocol}/${port ?? '*'} ${family} port: ${JSON.stringify(lb.dataPlane)}`,
        );
      }
      return p;
    },
  };
  return api;
}

const tally = (names: string[]): Record<string, number> =>
  names.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {});

async function sequence(address: string, port: number, n: number, from?: string) {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    seen.push(await whoAnswers(address, port, from));
  }
  return seen;
}

describe('load balancer data plane (e2e)', () => {
  let h: Harness;
  const api = cloud(() => h);
  let started: EchoBackend[] = [];
  const closers: (() => Promise<void>)[] = [];

  let poolPrefix: string;

  beforeAll(async () => {
    const options = randomNetworkOptions();
    poolPrefix = (options.lbIpv4Pool as string).replace(/\.0\/24$/, '');
    h = await startHarness(options);
  });

  afterAll(async () => {
    await h.close();
  });

  afterEach(async () => {
    await Promise.all(started.map((b) => b.stop()));
    started = [];
    for (const close of closers.splice(0)) {
      await close();
    }
  });

  const backendsFor = async (instances: Instance[], udp = false) => {
    const list = await api.backends(instances, udp);
    started.push(...list);
    return list;
  };

  /** An LB over `n` fresh instances with echo backends; waits until every backend is healthy. */
  const setup = async (n: number, body: Record<string, unknown> = {}, udp = false) => {
    const instances = await api.instances(n);
    const backends = await backendsFor(instances, udp);
    const created = await api.create({
      listeners: [{ protocol: 'TCP', port: 80, targetPort: backends[0].port }],
      backends: instances.map((i) => ({ instanceId: i.id })),
      ...body,
    });
    await api.allHealthy(created.id);
    const lb = await api.serving(created.id);
    return { lb, instances, backends, address: lb.dataPlane.address, port: api.port(lb).hostPort! };
  };

  it('should answer at the host address of the LB IP and spread connections with round_robin', async () => {
    const { lb, instances, address, port } = await setup(3);
    expect(lb.dataPlane).toMatchObject({
      mode: 'loopback',
      address: hostAddressOf(lb.publicIps[0].ip),
      state: 'serving',
      healthyBackends: 3,
    });
    const tcp = api.port(lb);
    expect(tcp).toMatchObject({ protocol: 'TCP', port: 80, ipFamily: 'IPv4', state: 'listening' });
    // Port 80 binds as root; otherwise it is mapped to 10080 and says why.
    if (tcp.hostPort !== 80) {
      expect(tcp.hostPort).toBe(10080);
      expect(tcp.message).toMatch(/need privileges.*ip_unprivileged_port_start/);
    }
    for (const b of lb.backends) {
      expect(b.healthChangedAt).toBe(new Date(h.clock.now()).toISOString());
      expect(b.healthDetail).toBe('TCP connect ok');
    }
    const seen = await sequence(address, port, 30);
    expect(tally(seen)).toEqual(Object.fromEntries(instances.map((i) => [i.name, 10])));
  });

  it('should send new connections to the least loaded backend with least_connections', async () => {
    const { instances, address, port } = await setup(3, { algorithm: 'least_connections' });
    const held: EchoClient[] = [];
    for (let i = 0; i < 6; i++) {
      held.push(await EchoClient.connect(address, port));
    }
    const first = await Promise.all(held.map((c) => c.backend()));
    expect(tally(first)).toEqual(Object.fromEntries(instances.map((i) => [i.name, 2])));
    const target = instances[2].name;
    held.forEach((c, i) => first[i] === target && c.close());
    const next = await waitFor(async () => {
      const who = await whoAnswers(address, port);
      return who === target ? who : undefined;
    }, 'the drained backend to get the next connection');
    expect(next).toBe(target);
    held.forEach((c) => c.close());
  });

  it('should keep every client on one backend with source_ip_hash', async () => {
    const { address, port } = await setup(3, { algorithm: 'source_ip_hash' });
    const net = address.split('.').slice(0, 3).join('.');
    const chosen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const seen = await sequence(address, port, 3, `${net}.${200 + i}`);
      expect(new Set(seen).size).toBe(1);
      chosen.push(seen[0]);
    }
    expect(new Set(chosen).size).toBeGreaterThan(1);
  });

  it('should hold client IP affinity until its timeout passes on the cloud clock', async () => {
    const { lb, address, port } = await setup(3, {
      sessionAffinity: { type: 'client_ip', timeoutSeconds: 60 },
    });
    const pinned = await sequence(address, port, 5);
    expect(new Set(pinned).size).toBe(1);
    // The timeout counts from a connection's end, which the LB (in its own thread) sees after
    // the client has moved on: move the clock only once it has.
    await api.idle(lb.id);
    h.clock.advance(59_000);
    expect(await whoAnswers(address, port)).toBe(pinned[0]);
    await api.idle(lb.id);
    h.clock.advance(60_000);
    expect(await whoAnswers(address, port)).not.toBe(pinned[0]);
  });

  it('should refuse clients outside allowedSourceRanges', async () => {
    const third = rand(1, 254);
    const { lb, address, port } = await setup(1, { allowedSourceRanges: [`198.51.${third}.0/24`] });
    // 198.51.R.9 dials from its host address 127.51.R.9; the host itself (127.0.0.1) is outside.
    expect(await whoAnswers(address, port, `127.51.${third}.9`)).not.toBe('refused');
    expect(await whoAnswers(address, port, '127.0.0.1')).toBe('refused');
    const metrics = (await h.http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(
      `nimbus_load_balancer_rejected_connections_total{load_balancer="${lb.id}",listener="TCP/80",reason="source_range"} 1`,
    );
  });

  it('should fail over when a backend dies and take it back when it returns, with health in the API', async () => {
    const { lb, instances, backends, address, port } = await setup(3, { healthCheck: FAST_HEALTH });
    const victim = instances[1];
    await backends[1].stop();
    const down = await api.until(
      lb.id,
      (x) => x.backends.find((b) => b.instanceId === victim.id)!.health === 'unhealthy',
      'the dead backend unhealthy',
    );
    const health = down.backends.find((b) => b.instanceId === victim.id)!;
    expect(health.healthDetail).toMatch(/ECONNREFUSED/);
    expect(health.healthChangedAt).toBeDefined();
    expect(down.dataPlane).toMatchObject({ state: 'serving', healthyBackends: 2 });
    expect(await sequence(address, port, 6)).not.toContain(victim.name);

    await backends[1].start();
    await api.allHealthy(lb.id);
    expect(await sequence(address, port, 6)).toContain(victim.name);
  });

  it('should refuse connections and say so when no backend is healthy', async () => {
    const { lb, backends, address, port } = await setup(1, { healthCheck: FAST_HEALTH });
    await backends[0].stop();
    const down = await api.until(
      lb.id,
      (x) => x.dataPlane.state === 'no_healthy_backends',
      'no healthy backends',
    );
    expect(down.dataPlane.message).toBe(
      'no healthy backend (1 unhealthy): connections are refused',
    );
    expect(await whoAnswers(address, port)).toBe('refused');
    await backends[0].start();
    await api.serving(lb.id);
    expect(await whoAnswers(address, port)).toBe(backends[0].name);
  });

  it('should echo UDP through the load balancer', async () => {
    const instances = await api.instances(2);
    const backends = await backendsFor(instances, true);
    const created = await api.create({
      listeners: [{ protocol: 'UDP', port: 53, targetPort: backends[0].port }],
      backends: instances.map((i) => ({ instanceId: i.id })),
      // UDP cannot be health-checked by a connect: check the TCP side of the same port.
      healthCheck: { protocol: 'TCP', port: backends[0].port, ...FAST_HEALTH },
    });
    const lb = await api.serving(created.id);
    const udp = api.port(lb, 'UDP');
    const replies = [
      await udpRequest(udp.address!, udp.hostPort!, 'ping'),
      await udpRequest(udp.address!, udp.hostPort!, 'ping'),
    ];
    expect(replies.sort()).toEqual(instances.map((i) => `${i.name}:ping`).sort());
  });

  it('should apply backend and listener changes live without dropping a connection to a backend that stays', async () => {
    const instances = await api.instances(3);
    const backends = await backendsFor(instances);
    const [a, b, c] = instances;
    const listener = { protocol: 'TCP', port: 8080, targetPort: backends[0].port };
    const created = await api.create({
      listeners: [listener],
      backends: [{ instanceId: a.id }, { instanceId: b.id }],
    });
    const lb = await api.serving(created.id);
    const { address, hostPort } = api.port(lb, 'TCP', 8080);
    const live = await EchoClient.connect(address!, hostPort!);
    expect(await live.backend()).toBe(a.name);

    // b leaves, c joins, a second listener opens.
    const put = await h.http
      .put(`/v1/load-balancers/${lb.id}`)
      .set(h.auth)
      .set('If-Match', lb.etag)
      .send({
        listeners: [listener, { protocol: 'TCP', port: 8081, targetPort: backends[0].port }],
        backends: [{ instanceId: a.id }, { instanceId: c.id }],
      })
      .expect((r) => expect([200, 202]).toContain(r.status));
    const updated = await api.until(
      lb.id,
      (x) =>
        x.dataPlane.state === 'serving' &&
        x.dataPlane.ports.length === 2 &&
        x.backends.every((y) => y.health === 'healthy'),
      'second listener open and c healthy',
    );
    expect(put.body.loadBalancer.dataPlane).toBeDefined();
    expect(await live.echo('still here')).toBe('still here');
    expect(new Set(await sequence(address!, hostPort!, 4))).toEqual(new Set([a.name, c.name]));
    const second = api.port(updated, 'TCP', 8081);
    expect([a.name, c.name]).toContain(await whoAnswers(second.address!, second.hostPort!));

    // backends:add brings b back, still without touching the live connection.
    await h.http
      .post(`/v1/load-balancers/${lb.id}/backends:add`)
      .set(h.auth)
      .send({ instanceIds: [b.id] })
      .expect((r) => expect([200, 202]).toContain(r.status));
    await api.until(lb.id, (x) => x.dataPlane.healthyBackends === 3, 'b back');
    expect(new Set(await sequence(address!, hostPort!, 6))).toEqual(
      new Set([a.name, b.name, c.name]),
    );
    expect(await live.echo('and here')).toBe('and here');
    live.close();
  });

  it('should serve an IPv6 public IP on ::1', async () => {
    const { lb } = await setup(1, { ipFamilies: ['IPv4', 'IPv6'] });
    const v6 = api.port(lb, 'TCP', 80, 'IPv6');
    expect(v6.address).toBe('::1');
    expect(await whoAnswers('::1', v6.hostPort!)).not.toBe('refused');
  });

  it('should show a port that is already in use as an error and recover once it is free', async () => {
    const instances = await api.instances(1);
    const backends = await backendsFor(instances);
    // Another program holds the LB's own host address and port before the LB opens.
    const requestedIp = `${poolPrefix}.250`;
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(8443, hostAddressOf(requestedIp), resolve));
    closers.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const created = await api.create({
      requestedIp,
      listeners: [{ protocol: 'TCP', port: 8443, targetPort: backends[0].port }],
      backends: [{ instanceId: instances[0].id }],
    });
    const failing = await api.until(created.id, (x) => x.dataPlane.state === 'error', 'error');
    expect(failing.dataPlane.ports[0]).toMatchObject({ state: 'failed' });
    expect(failing.dataPlane.message).toContain(
      `${hostAddressOf(requestedIp)}:8443: address already in use`,
    );
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    closers.pop();
    const recovered = await api.serving(created.id);
    expect(api.port(recovered).hostPort).toBe(8443);
  });

  it('should close the listeners when the load balancer is deleted', async () => {
    const { lb, address, port } = await setup(1);
    await h.http.delete(`/v1/load-balancers/${lb.id}`).set(h.auth).expect(200);
    await h.http.get(`/v1/load-balancers/${lb.id}`).set(h.auth).expect(404);
    await waitFor(async () => (await whoAnswers(address, port)) === 'refused', 'listener closed');
    const probe = createServer();
    // The address and port are free again.
    await new Promise<void>((resolve) => probe.listen(port, address, resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('should publish per load balancer and backend metrics on /metrics', async () => {
    const { lb, instances, address, port } = await setup(2);
    await sequence(address, port, 4);
    const text = (await h.http.get('/metrics').expect(200)).text;
    for (const i of instances) {
      expect(text).toContain(
        `nimbus_load_balancer_connections_total{load_balancer="${lb.id}",listener="TCP/80",backend="${i.id}"} 2`,
      );
      expect(text).toContain(
        `nimbus_load_balancer_backend_health{load_balancer="${lb.id}",backend="${i.id}",state="healthy"} 1`,
      );
      expect(text).toMatch(
        new RegExp(
          `nimbus_load_balancer_sent_bytes_total\\{load_balancer="${lb.id}",listener="TCP/80",backend="${i.id}"\\} ${2 * (i.name.length + 1)}`,
        ),
      );
    }
    expect(text).toContain(`nimbus_load_balancer_healthy_backends{load_balancer="${lb.id}"} 2`);
    expect(text).toContain(
      `nimbus_load_balancer_listener_up{load_balancer="${lb.id}",listener="TCP/80"} 1`,
    );
  });
});

describe('load balancer data plane across restarts and bind modes (e2e)', () => {
  let h: Harness | undefined;
  const started: EchoBackend[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((b) => b.stop()));
    await h?.close();
    h = undefined;
  });

  it('should reopen the listeners from the database after a restart on the same data dir', async () => {
    h = await startHarness(randomNetworkOptions());
    const api = cloud(() => h!);
    const instances = await api.instances(1);
    started.push(...(await api.backends(instances)));
    const created = await api.create({
      listeners: [{ protocol: 'TCP', port: 80, targetPort: started[0].port }],
      backends: [{ instanceId: instances[0].id }],
    });
    const before = await api.serving(created.id);
    const { address, hostPort } = api.port(before);
    expect(await whoAnswers(address!, hostPort!)).toBe(instances[0].name);

    await h.restart();
    const after = await api.serving(created.id);
    expect(api.port(after).hostPort).toBe(hostPort);
    expect(await whoAnswers(address!, hostPort!)).toBe(instances[0].name);
  });

  it('should put every listener on the --lb-bind address, each on a port of its own', async () => {
    h = await startHarness(randomNetworkOptions({ lbBind: '127.0.0.1' }));
    const api = cloud(() => h!);
    const instances = await api.instances(1);
    started.push(...(await api.backends(instances)));
    const body = {
      listeners: [{ protocol: 'TCP', port: 80, targetPort: started[0].port }],
      backends: [{ instanceId: instances[0].id }],
    };
    const first = await api.serving((await api.create(body)).id);
    const second = await api.serving((await api.create(body)).id);
    for (const lb of [first, second]) {
      expect(lb.dataPlane).toMatchObject({ mode: 'bind', address: '127.0.0.1' });
      const p = api.port(lb);
      expect(await whoAnswers('127.0.0.1', p.hostPort!)).toBe(instances[0].name);
    }
    expect(api.port(first).hostPort).not.toBe(api.port(second).hostPort);
  });
});

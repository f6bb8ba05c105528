import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { createHash } from 'node:crypto';
import {
  DataPlane,
  type BackendSpec,
  type HealthCheckSpec,
  type ListenerSpec,
  type VirtualServerSpec,
} from '@app/dataplane';
import {
  EchoBackend,
  EchoClient,
  startEchoBackends,
  udpRequest,
  waitFor,
  whoAnswers,
} from '@app/testing';

/**
 * The data plane on real loopback sockets. Every test takes its own 127.X.Y.0/24 (X random in
 * 150–199, away from the cloud's and the cluster's host blocks) and free ports, so parallel runs
 * never meet.
 */

// Generous: the machine is shared; no test asserts on durations.
jest.setTimeout(60_000);

function freshBlock(): string {
  return `127.${150 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
}

class ManualClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

const FAST_HEALTH: HealthCheckSpec = {
  protocol: 'TCP',
  intervalMs: 50,
  // Refusals fail at once; the timeout only bounds a hung probe (a stalled loop must not trip it).
  timeoutMs: 5000,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
};

describe('data plane (real sockets)', () => {
  let net: string;
  let lbAddress: string;
  let plane: DataPlane;
  let clock: ManualClock;
  let backends: EchoBackend[];
  const closers: (() => Promise<void> | void)[] = [];

  beforeEach(() => {
    net = freshBlock();
    lbAddress = `${net}.1`;
    clock = new ManualClock();
    plane = new DataPlane({ clock, sweepIntervalMs: 20 });
    backends = [];
  });

  afterEach(async () => {
    await plane.close();
    await Promise.all(backends.map((b) => b.stop()));
    for (const close of closers.splice(0)) {
      await close();
    }
  });

  const startBackends = async (names: string[], udp = false) => {
    backends = await startEchoBackends(
      names.map((name, i) => ({ name, address: `${net}.${10 + i}` })),
      { udp },
    );
    return backends;
  };

  const backendSpecs = (list: EchoBackend[] = backends): BackendSpec[] =>
    list.map((b) => ({ id: b.name, address: b.address }));

  const tcpListener = (name = 'tcp', port = 0): ListenerSpec => ({
    name,
    protocol: 'TCP',
    bind: { address: lbAddress, port },
    targetPort: backends[0].port,
  });

  const applyTcp = async (overrides: Partial<VirtualServerSpec> = {}) => {
    const status = await plane.apply('vs', {
      listeners: [tcpListener()],
      backends: backendSpecs(),
      scheduler: 'round_robin',
      ...overrides,
    });
    expect(status.listeners.every((l) => l.state === 'listening')).toBe(true);
    return status.listeners[0].port!;
  };

  const sequence = async (port: number, n: number, localAddress?: string): Promise<string[]> => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      seen.push(await whoAnswers(lbAddress, port, localAddress));
    }
    return seen;
  };

  const tally = (names: string[]): Record<string, number> =>
    names.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {});

  it('should spread connections evenly with round_robin (rr)', async () => {
    await startBackends(['a', 'b', 'c']);
    const port = await applyTcp({ scheduler: 'rr' });
    const seen = await sequence(port, 30);
    expect(tally(seen)).toEqual({ a: 10, b: 10, c: 10 });
    expect(seen.slice(0, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('should send new connections to the backend with the fewest open ones (least_connections)', async () => {
    await startBackends(['a', 'b', 'c']);
    const port = await applyTcp({ scheduler: 'least_connections' });
    const held: EchoClient[] = [];
    for (let i = 0; i < 6; i++) {
      held.push(await EchoClient.connect(lbAddress, port));
    }
    const first = await Promise.all(held.map((c) => c.backend()));
    expect(tally(first)).toEqual({ a: 2, b: 2, c: 2 });
    // Close both connections held by b: the next two go to b, the one after to anyone.
    held.forEach((c, i) => first[i] === 'b' && c.close());
    await waitFor(() => plane.stats('vs')!.listeners[0].backends.b.active === 0, 'b drained');
    const more = [
      await EchoClient.connect(lbAddress, port),
      await EchoClient.connect(lbAddress, port),
    ];
    expect(await Promise.all(more.map((c) => c.backend()))).toEqual(['b', 'b']);
    [...held, ...more].forEach((c) => c.close());
  });

  it('should keep each client on one backend and spread clients with source_ip_hash (sh)', async () => {
    await startBackends(['a', 'b', 'c']);
    const port = await applyTcp({ scheduler: 'source_ip_hash' });
    const perClient: string[] = [];
    for (let i = 0; i < 24; i++) {
      const seen = await sequence(port, 3, `${net}.${100 + i}`);
      expect(new Set(seen).size).toBe(1);
      perClient.push(seen[0]);
    }
    expect(new Set(perClient).size).toBeGreaterThan(1);
    expect(perClient).not.toContain('refused');
  });

  it('should honour weights with wrr and rotate ties with wlc', async () => {
    await startBackends(['a', 'b']);
    const weighted = [
      { id: 'a', address: backends[0].address, weight: 3 },
      { id: 'b', address: backends[1].address, weight: 1 },
    ];
    const port = await applyTcp({ scheduler: 'wrr', backends: weighted });
    expect(tally(await sequence(port, 8))).toEqual({ a: 6, b: 2 });
    await plane.apply('vs', {
      listeners: [tcpListener()],
      backends: weighted,
      scheduler: 'wlc',
    });
    expect(tally(await sequence(port, 8))).toEqual({ a: 4, b: 4 });
  });

  it('should keep a client on its backend while its affinity lasts and choose again after (clock)', async () => {
    await startBackends(['a', 'b', 'c']);
    const port = await applyTcp({ scheduler: 'rr', affinity: { timeoutMs: 10_000 } });
    const client = `${net}.200`;
    const pinned = await sequence(port, 5, client);
    expect(new Set(pinned)).toEqual(new Set(['a']));
    // Another client is not pinned to a.
    expect(await whoAnswers(lbAddress, port, `${net}.201`)).toBe('b');
    clock.t += 9_999;
    expect(await whoAnswers(lbAddress, port, client)).toBe('a');
    clock.t += 10_000;
    expect(await whoAnswers(lbAddress, port, client)).toBe('c');
  });

  it('should refuse clients outside the source ranges and count them', async () => {
    await startBackends(['a']);
    const allowed = `${net}.77`;
    const port = await applyTcp({ sourceRanges: [`${allowed}/32`, '2001:db8::/32'] });
    expect(await whoAnswers(lbAddress, port, allowed)).toBe('a');
    expect(await whoAnswers(lbAddress, port, `${net}.78`)).toBe('refused');
    expect(await whoAnswers(lbAddress, port, '127.0.0.1')).toBe('refused');
    expect(plane.stats('vs')!.listeners[0].rejected.source_range).toBe(2);
  });

  it('should keep clients of a client group on its backends, refuse them when it has none, and let others use all (internalTrafficPolicy Local)', async () => {
    await startBackends(['a', 'b', 'c']);
    const port = await applyTcp({
      clientGroups: [
        { name: 'node-1', sources: [`${net}.64/27`], backends: ['a'] },
        { name: 'node-2', sources: [`${net}.96/27`, '2001:db8::/32'], backends: ['b', 'c'] },
        { name: 'node-3', sources: [`${net}.128/27`], backends: [] },
      ],
    });
    expect(new Set(await sequence(port, 4, `${net}.70`))).toEqual(new Set(['a']));
    expect(tally(await sequence(port, 4, `${net}.100`))).toEqual({ b: 2, c: 2 });
    expect(await whoAnswers(lbAddress, port, `${net}.130`)).toBe('refused');
    // Not in any group: every backend.
    expect(new Set(await sequence(port, 6, `${net}.200`))).toEqual(new Set(['a', 'b', 'c']));
    expect(plane.stats('vs')!.listeners[0].rejected.no_backend).toBe(1);
    // A group's backend that turns unready leaves its clients with none.
    await applyTcp({
      backends: backendSpecs().map((b) => ({ ...b, ready: b.id !== 'a' })),
      clientGroups: [{ name: 'node-1', sources: [`${net}.64/27`], backends: ['a'] }],
    });
    expect(await whoAnswers(lbAddress, port, `${net}.70`)).toBe('refused');
    expect(new Set(await sequence(port, 4, `${net}.200`))).toEqual(new Set(['b', 'c']));
  });

  it('should hand a connection to a listener of the same process over instead of dialling it, with the same outcome and counters on both', async () => {
    // back: a NodePort-like listener (rr over a, b); front: an LB whose backend is that listener.
    await startBackends(['a', 'b']);
    const backAddress = `${net}.2`;
    const applyBack = (overrides: Partial<VirtualServerSpec> = {}) =>
      plane.apply('back', {
        listeners: [{ ...tcpListener('node'), bind: { address: backAddress, port: 0 } }],
        backends: backendSpecs(),
        scheduler: 'rr',
        ...overrides,
      });
    const backPort = (await applyBack()).listeners[0].port!;
    const port = await applyTcp({
      backends: [{ id: 'node', address: backAddress, port: backPort }],
    });
    expect(await sequence(port, 4)).toEqual(['a', 'b', 'a', 'b']);
    const live = await EchoClient.connect(lbAddress, port);
    closers.push(() => live.close());
    expect(await live.backend()).toBe('a');
    expect(await live.echo('x'.repeat(100_000))).toHaveLength(100_000);
    const front = plane.stats('vs')!.listeners[0].backends.node;
    const back = plane.stats('back')!.listeners[0].backends;
    expect(front).toMatchObject({ connections: 5, active: 1 });
    expect(back.a).toMatchObject({ connections: 3, active: 1 });
    expect(back.b).toMatchObject({ connections: 2, active: 0 });
    expect(front.bytesIn).toBeGreaterThanOrEqual(100_000);
    expect(back.a.bytesIn).toBe(front.bytesIn);

    // The second listener's rules apply to the dialler's address (127.0.0.1): refused → reset.
    await applyBack({ sourceRanges: ['127.0.0.2/32'] });
    expect(await whoAnswers(lbAddress, port)).toBe('refused');
    expect(plane.stats('back')!.listeners[0].rejected.source_range).toBe(1);
    await applyBack({ backends: [] });
    expect(await whoAnswers(lbAddress, port)).toBe('refused');
    expect(plane.stats('back')!.listeners[0].rejected.no_backend).toBe(1);
    // The front does not try again elsewhere (the second hop accepted, then reset).
    expect(plane.stats('vs')!.listeners[0].rejected).toMatchObject({
      no_backend: 0,
      backend_unreachable: 0,
    });
    // The live connection stays with its backend; removing the second listener ends it.
    expect(await live.echo('still')).toBe('still');
    await plane.remove('back');
    await live.whenClosed();
    await waitFor(
      () => plane.stats('vs')!.listeners[0].backends.node.active === 0,
      'front drained',
    );
  });

  it('should fail over when a backend dies and take it back when it returns (TCP health check)', async () => {
    await startBackends(['a', 'b', 'c']);
    const changes: string[] = [];
    await plane.close();
    plane = new DataPlane({
      clock,
      onHealthChange: (c) => changes.push(`${c.backend}:${c.previous}->${c.health}`),
    });
    const port = await applyTcp({ healthCheck: FAST_HEALTH });
    await waitFor(() => plane.status('vs')!.eligibleBackends === 3, 'all healthy');

    await backends[1].stop();
    await waitFor(
      () => plane.status('vs')!.backends.find((b) => b.id === 'b')!.health === 'unhealthy',
      'b unhealthy',
    );
    const status = plane.status('vs')!.backends.find((b) => b.id === 'b')!;
    expect(status.detail).toMatch(/ECONNREFUSED/);
    expect(status.since).toBe(clock.t);
    expect(tally(await sequence(port, 6))).toEqual({ a: 3, c: 3 });

    await backends[1].start();
    await waitFor(() => plane.status('vs')!.eligibleBackends === 3, 'b healthy again');
    expect(new Set(await sequence(port, 6))).toEqual(new Set(['a', 'b', 'c']));
    expect(changes).toEqual(
      expect.arrayContaining([
        'b:unknown->healthy',
        'b:healthy->unhealthy',
        'b:unhealthy->healthy',
      ]),
    );
  });

  it('should try another backend when a dial fails before the health check noticed', async () => {
    await startBackends(['a', 'b']);
    const port = await applyTcp({ scheduler: 'rr' });
    await backends[0].stop();
    expect(await sequence(port, 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(plane.stats('vs')!.listeners[0].backends.a.connectFailures).toBeGreaterThan(0);
  });

  it('should refuse connections when no backend is healthy, and serve again when one is', async () => {
    await startBackends(['a']);
    const port = await applyTcp({ healthCheck: FAST_HEALTH });
    expect(await whoAnswers(lbAddress, port)).toBe('a');
    await backends[0].stop();
    await waitFor(() => plane.status('vs')!.eligibleBackends === 0, 'no healthy backend');
    expect(await whoAnswers(lbAddress, port)).toBe('refused');
    expect(plane.stats('vs')!.listeners[0].rejected.no_backend).toBe(1);
    await backends[0].start();
    await waitFor(() => plane.status('vs')!.eligibleBackends === 1, 'healthy again');
    expect(await whoAnswers(lbAddress, port)).toBe('a');
  });

  it('should mark backends healthy only on 2xx/3xx with an HTTP health check', async () => {
    await startBackends(['a']);
    let status = 503;
    const health: HttpServer = createHttpServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => health.listen(0, backends[0].address, resolve));
    closers.push(() => new Promise<void>((resolve) => health.close(() => resolve())));
    const healthPort = (health.address() as { port: number }).port;
    await applyTcp({
      healthCheck: { ...FAST_HEALTH, protocol: 'HTTP', port: healthPort, path: '/healthz' },
    });
    await waitFor(() => plane.status('vs')!.backends[0].health === 'unhealthy', 'unhealthy');
    expect(plane.status('vs')!.backends[0].detail).toBe('HTTP 503');
    status = 200;
    await waitFor(() => plane.status('vs')!.backends[0].health === 'healthy', 'healthy');
    expect(plane.stats('vs')!.healthChecks.a.successes).toBeGreaterThan(0);
  });

  it('should carry UDP both ways, keep a flow on its backend and expire idle flows by the clock', async () => {
    await startBackends(['a', 'b'], true);
    const status = await plane.apply('vs', {
      listeners: [
        {
          name: 'udp',
          protocol: 'UDP',
          bind: { address: lbAddress, port: 0 },
          targetPort: backends[0].port,
        },
      ],
      backends: backendSpecs(),
      scheduler: 'rr',
      udpIdleTimeoutMs: 30_000,
    });
    const port = status.listeners[0].port!;
    const socket = createSocket('udp4');
    closers.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    await new Promise<void>((resolve) => socket.bind({ address: `${net}.90` }, resolve));
    expect(await udpRequest(lbAddress, port, 'one', { socket })).toBe('a:one');
    expect(await udpRequest(lbAddress, port, 'two', { socket })).toBe('a:two');
    // Another client is another flow: round robin gives it b.
    expect(await udpRequest(lbAddress, port, 'x', { localAddress: `${net}.91` })).toBe('b:x');
    clock.t += 30_000;
    await waitFor(() => plane.inspect('vs')![0].open === 0, 'idle flows swept');
    expect(await udpRequest(lbAddress, port, 'three', { socket })).toBe('a:three');
    const counters = plane.stats('vs')!.listeners[0].backends;
    expect(counters.a.connections).toBe(2);
    expect(counters.a.bytesIn).toBe('one'.length + 'two'.length + 'three'.length);
  });

  it('should move a UDP flow to another backend when its backend leaves', async () => {
    await startBackends(['a', 'b'], true);
    const listeners: ListenerSpec[] = [
      {
        name: 'udp',
        protocol: 'UDP',
        bind: { address: lbAddress, port: 0 },
        targetPort: backends[0].port,
      },
    ];
    const status = await plane.apply('vs', {
      listeners,
      backends: backendSpecs(),
      scheduler: 'rr',
    });
    const port = status.listeners[0].port!;
    const socket = createSocket('udp4');
    closers.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    await new Promise<void>((resolve) => socket.bind({ address: `${net}.92` }, resolve));
    expect(await udpRequest(lbAddress, port, 'p', { socket })).toBe('a:p');
    // a leaves (the listener stays open): the flow's next datagram goes to b.
    await plane.apply('vs', { listeners, backends: backendSpecs([backends[1]]), scheduler: 'rr' });
    expect(await udpRequest(lbAddress, port, 'q', { socket })).toBe('b:q');
    expect(plane.stats('vs')!.listeners[0].backends.b.connections).toBe(1);
  });

  it('should apply backend and listener changes without dropping a live connection to a backend that stays', async () => {
    await startBackends(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = backends;
    const port = await applyTcp({ backends: backendSpecs([a, b, c]) });
    expect(new Set(await sequence(port, 3))).toEqual(new Set(['a', 'b', 'c']));
    const live = await EchoClient.connect(lbAddress, port);
    expect(await live.backend()).toBe('a');
    expect(await live.echo('before')).toBe('before');

    // c leaves, d joins, a second listener opens; the first listener is unchanged.
    const bound = tcpListener();
    const status = await plane.apply('vs', {
      listeners: [bound, tcpListener('tcp-2')],
      backends: backendSpecs([a, b, d]),
      scheduler: 'round_robin',
    });
    expect(status.listeners.map((l) => l.state)).toEqual(['listening', 'listening']);
    expect(await live.echo('after')).toBe('after');
    expect(live.closed).toBe(false);
    expect(new Set(await sequence(port, 6))).toEqual(new Set(['a', 'b', 'd']));
    expect(await whoAnswers(lbAddress, status.listeners[1].port!)).not.toBe('refused');

    // The second listener goes away: its port closes, the first one and the live connection stay.
    await plane.apply('vs', {
      listeners: [bound],
      backends: backendSpecs([a, b, d]),
      scheduler: 'rr',
    });
    expect(await whoAnswers(lbAddress, status.listeners[1].port!)).toBe('refused');
    expect(await live.echo('still')).toBe('still');
    live.close();
  });

  it('should let connections to a removed backend finish (drain) and close everything on remove', async () => {
    await startBackends(['a', 'b']);
    const port = await applyTcp();
    const toA = await EchoClient.connect(lbAddress, port);
    expect(await toA.backend()).toBe('a');
    await plane.apply('vs', {
      listeners: [tcpListener()],
      backends: backendSpecs([backends[1]]),
      scheduler: 'rr',
    });
    expect(await toA.echo('draining')).toBe('draining');
    expect(await whoAnswers(lbAddress, port)).toBe('b');

    await plane.remove('vs');
    await toA.whenClosed();
    expect(await whoAnswers(lbAddress, port)).toBe('refused');
    expect(plane.status('vs')).toBeUndefined();
  });

  it('should pipe with backpressure: a slow client holds back the backend instead of filling memory', async () => {
    // A backend that pushes 64 MiB as fast as the socket lets it.
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let written = 0;
    const source: Server = createServer((socket: Socket) => {
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    const sourceAddress = `${net}.30`;
    await new Promise<void>((resolve) => source.listen(0, sourceAddress, resolve));
    closers.push(() => new Promise<void>((resolve) => source.close(() => resolve())));
    const status = await plane.apply('vs', {
      listeners: [
        {
          name: 'tcp',
          protocol: 'TCP',
          bind: { address: lbAddress, port: 0 },
          targetPort: (source.address() as { port: number }).port,
        },
      ],
      backends: [{ id: 'source', address: sourceAddress }],
      scheduler: 'rr',
    });

    const client = connect({ host: lbAddress, port: status.listeners[0].port! });
    closers.push(() => void client.destroy());
    client.pause();
    // Wait until the whole path is stalled: the backend cannot write more.
    let last = -1;
    await waitFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stalled = written === last;
      last = written;
      return stalled && written > 0;
    }, 'the backend to stall');
    const buffered = plane.inspect('vs')![0].bufferedBytes;
    expect(written).toBeLessThan(total);
    // The proxy holds at most a few socket buffers, not the 64 MiB the backend wanted to send.
    expect(buffered).toBeLessThan(4 * 1024 * 1024);

    const digest = createHash('sha256');
    let received = 0;
    client.on('data', (data: Buffer) => {
      received += data.length;
      digest.update(data);
    });
    client.resume();
    await new Promise((resolve) => client.once('end', resolve));
    expect(received).toBe(total);
    const expected = createHash('sha256');
    for (let i = 0; i < total / chunk.length; i++) {
      expected.update(chunk);
    }
    expect(digest.digest('hex')).toBe(expected.digest('hex'));
    const counters = plane.stats('vs')!.listeners[0].backends.source;
    expect(counters.bytesOut).toBe(total);
  });

  it('should fall back to the next bind candidate, or report the failure and retry until the port is free', async () => {
    await startBackends(['a']);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, lbAddress, resolve));
    const taken = (blocker.address() as { port: number }).port;

    const fallback = await plane.apply('fallback', {
      listeners: [
        {
          name: 'tcp',
          protocol: 'TCP',
          bind: {
            address: lbAddress,
            port: taken,
            fallbacks: [{ on: ['EADDRINUSE'], then: { address: lbAddress, port: 0 } }],
          },
          targetPort: backends[0].port,
        },
      ],
      backends: backendSpecs(),
      scheduler: 'rr',
    });
    expect(fallback.listeners[0]).toMatchObject({ state: 'listening', address: lbAddress });
    expect(fallback.listeners[0].port).not.toBe(taken);
    expect(fallback.listeners[0].message).toContain(
      `${lbAddress}:${taken}: address already in use`,
    );
    expect(await whoAnswers(lbAddress, fallback.listeners[0].port!)).toBe('a');

    const failed = await plane.apply('strict', {
      listeners: [{ ...tcpListener(), bind: { address: lbAddress, port: taken } }],
      backends: backendSpecs(),
      scheduler: 'rr',
    });
    expect(failed.listeners[0]).toMatchObject({ state: 'failed', code: 'EADDRINUSE' });
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await waitFor(() => plane.status('strict')!.listeners[0].state === 'listening', 'retry');
    expect(await whoAnswers(lbAddress, taken)).toBe('a');
  });

  it('should reject an invalid spec and change nothing', async () => {
    await startBackends(['a']);
    await expect(
      plane.apply('vs', {
        listeners: [tcpListener()],
        backends: backendSpecs(),
        scheduler: 'fastest' as 'rr',
      }),
    ).rejects.toThrow(/unknown scheduler "fastest"/);
    await expect(
      plane.apply('vs', {
        listeners: [tcpListener()],
        backends: backendSpecs(),
        scheduler: 'rr',
        sourceRanges: ['10.0.0.0/33'],
      }),
    ).rejects.toThrow(/source range "10.0.0.0\/33"/);
    await expect(
      plane.apply('vs', {
        listeners: [tcpListener()],
        backends: backendSpecs(),
        scheduler: 'rr',
        clientGroups: [{ name: 'node-1', sources: [], backends: ['a'] }],
      }),
    ).rejects.toThrow(/client group "node-1" has no sources/);
    expect(plane.has('vs')).toBe(false);
  });
});

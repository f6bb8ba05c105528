import { AdjustableClock } from '@app/common';
import {
  DataPlaneThread,
  ThreadedDataPlane,
  type BackendSpec,
  type HealthChange,
  type VirtualServerSpec,
} from '@app/dataplane';
import { EchoBackend, EchoClient, startEchoBackends, waitFor, whoAnswers } from '@app/testing';

/**
 * The data plane in its worker thread (ThreadedDataPlane) on real loopback sockets: forwarding,
 * the status it reports back, counters, the owner's clock through shared memory, the hand-off
 * between two owners of one process, and a thread that dies. Each test takes its own
 * 127.X.Y.0/24 (X in 200–229, away from the other suites' blocks).
 */

jest.setTimeout(60_000);

function freshBlock(): string {
  return `127.${200 + Math.floor(Math.random() * 30)}.${Math.floor(Math.random() * 250)}`;
}

/** Listening TCP sockets of this thread (the data plane's must not be among them). */
const tcpServersHere = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('data plane in its worker thread (real sockets)', () => {
  let net: string;
  let backends: EchoBackend[];
  const planes: ThreadedDataPlane[] = [];

  beforeEach(() => {
    net = freshBlock();
    backends = [];
  });

  afterEach(async () => {
    await Promise.all(planes.splice(0).map((p) => p.close()));
    await Promise.all(backends.map((b) => b.stop()));
  });

  const newPlane = (options: ConstructorParameters<typeof ThreadedDataPlane>[0] = {}) => {
    const plane = new ThreadedDataPlane(options);
    planes.push(plane);
    return plane;
  };

  const startBackends = async (names: string[]) =>
    (backends = await startEchoBackends(
      names.map((name, i) => ({ name, address: `${net}.${10 + i}` })),
    ));

  const backendSpecs = (): BackendSpec[] =>
    backends.map((b) => ({ id: b.name, address: b.address }));

  const spec = (
    address: string,
    overrides: Partial<VirtualServerSpec> = {},
  ): VirtualServerSpec => ({
    listeners: [
      { name: 'tcp', protocol: 'TCP', bind: { address, port: 0 }, targetPort: backends[0].port },
    ],
    backends: backendSpecs(),
    scheduler: 'rr',
    ...overrides,
  });

  it('should forward from its own thread and count what it forwarded in the snapshot', async () => {
    await startBackends(['a', 'b']);
    const plane = newPlane();
    const serversBefore = tcpServersHere();
    const status = await plane.apply('vs', spec(`${net}.1`));
    const port = status.listeners[0].port!;
    expect(status.listeners[0]).toMatchObject({ state: 'listening', address: `${net}.1` });
    // The listener is not a handle of this thread: it lives in the data plane's. (At most as
    // many as before: a server of an earlier suite in this Jest worker may finish closing.)
    expect(tcpServersHere()).toBeLessThanOrEqual(serversBefore);
    expect(DataPlaneThread.running()).toBeDefined();

    const seen = [];
    for (let i = 0; i < 4; i++) {
      seen.push(await whoAnswers(`${net}.1`, port));
    }
    expect(seen).toEqual(['a', 'b', 'a', 'b']);
    expect(plane.ids()).toEqual(['vs']);
    expect(plane.status('vs')).toEqual(status);
    const [sample] = await plane.snapshot();
    expect(sample.id).toBe('vs');
    expect(sample.stats.listeners[0].backends).toMatchObject({
      a: { connections: 2 },
      b: { connections: 2 },
    });
  });

  it('should reject an invalid spec in the caller, naming the field, and change nothing', async () => {
    await startBackends(['a']);
    const plane = newPlane();
    await expect(
      plane.apply('vs', spec(`${net}.1`, { affinity: { timeoutMs: 0 } })),
    ).rejects.toThrow('affinity.timeoutMs must be > 0');
    expect(plane.has('vs')).toBe(false);
    expect(await plane.snapshot()).toEqual([]);
  });

  it('should report health changes and keep the status it shows in step with them', async () => {
    await startBackends(['a', 'b']);
    const changes: HealthChange[] = [];
    const plane = newPlane({ onHealthChange: (c) => changes.push(c) });
    const healthCheck = {
      protocol: 'TCP' as const,
      intervalMs: 50,
      timeoutMs: 5000,
      healthyThreshold: 1,
      unhealthyThreshold: 1,
    };
    await plane.apply('vs', spec(`${net}.1`, { healthCheck }));
    await waitFor(() => plane.status('vs')!.eligibleBackends === 2, 'both healthy');
    await backends[1].stop();
    await waitFor(() => plane.status('vs')!.eligibleBackends === 1, 'b unhealthy in the status');
    expect(plane.status('vs')!.backends.find((b) => b.id === 'b')).toMatchObject({
      health: 'unhealthy',
      eligible: false,
    });
    expect(changes).toContainEqual(
      expect.objectContaining({ virtualServer: 'vs', backend: 'b', health: 'unhealthy' }),
    );
  });

  it("should follow the owner's clock through shared memory (affinity times out on it)", async () => {
    await startBackends(['a', 'b']);
    const clock = new AdjustableClock();
    clock.freeze();
    const plane = newPlane({ clock, sweepIntervalMs: 20 });
    const port = (await plane.apply('vs', spec(`${net}.1`, { affinity: { timeoutMs: 10_000 } })))
      .listeners[0].port!;
    const client = `${net}.77`;
    const first = await whoAnswers(`${net}.1`, port, client);
    expect(await whoAnswers(`${net}.1`, port, client)).toBe(first);
    // Frozen: real time passing changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await whoAnswers(`${net}.1`, port, client)).toBe(first);
    clock.advance(11_000);
    await waitFor(
      async () => (await whoAnswers(`${net}.1`, port, client)) !== first,
      'the pin to expire on the advanced clock',
    );
  });

  it('should hand a connection from one owner to another in the same thread (cloud LB → kube-proxy)', async () => {
    await startBackends(['a', 'b']);
    const proxy = newPlane();
    const cloud = newPlane();
    const nodePort = (await proxy.apply('node', spec(`${net}.2`))).listeners[0].port!;
    const lbPort = (
      await cloud.apply('lb', {
        ...spec(`${net}.1`),
        backends: [{ id: 'node', address: `${net}.2`, port: nodePort }],
      })
    ).listeners[0].port!;
    const live = await EchoClient.connect(`${net}.1`, lbPort);
    try {
      expect(await live.backend()).toBe('a');
      expect(await live.echo('x'.repeat(50_000))).toHaveLength(50_000);
      const [front] = await cloud.snapshot();
      const [back] = await proxy.snapshot();
      const frontNode = front.stats.listeners[0].backends.node;
      expect(frontNode).toMatchObject({ connections: 1, active: 1 });
      expect(back.stats.listeners[0].backends.a).toMatchObject({ connections: 1, active: 1 });
      // Handed over, not dialled: one splice carries the bytes, both count them as theirs.
      expect(back.stats.listeners[0].backends.a.bytesIn).toBe(frontNode.bytesIn);
      expect(frontNode.bytesIn).toBeGreaterThanOrEqual(50_000);
    } finally {
      live.close();
    }
    // Each owner sees only its own virtual servers.
    expect((await cloud.snapshot()).map((s) => s.id)).toEqual(['lb']);
    expect(proxy.ids()).toEqual(['node']);
  });

  it('should start a new thread when its thread dies and serve the same virtual servers again', async () => {
    await startBackends(['a']);
    const restarts: Error[] = [];
    const plane = newPlane({ onThreadRestart: (e) => restarts.push(e) });
    const port = (await plane.apply('vs', spec(`${net}.1`))).listeners[0].port!;
    // Now on that port by its spec, so the listener comes back on it after the restart.
    await plane.apply('vs', {
      ...spec(`${net}.1`),
      listeners: [{ ...spec(`${net}.1`).listeners[0], bind: { address: `${net}.1`, port } }],
    });
    expect(await whoAnswers(`${net}.1`, port)).toBe('a');
    const first = DataPlaneThread.running()!;
    await first.kill();
    await waitFor(() => restarts.length > 0, 'the restart');
    expect(restarts[0].message).toMatch(/data plane thread exited/);
    expect(DataPlaneThread.running()).not.toBe(first);
    await waitFor(() => plane.status('vs')?.listeners[0].state === 'listening', 'listening again');
    expect(await whoAnswers(`${net}.1`, port)).toBe('a');
  });

  it('should end the thread when its last owner closes, and start another for the next one', async () => {
    await startBackends(['a']);
    const plane = new ThreadedDataPlane();
    const port = (await plane.apply('vs', spec(`${net}.1`))).listeners[0].port!;
    const thread = DataPlaneThread.running();
    expect(thread).toBeDefined();
    await plane.close();
    expect(DataPlaneThread.running()).toBeUndefined();
    expect(await whoAnswers(`${net}.1`, port)).toBe('refused');

    const next = newPlane();
    const again = (await next.apply('vs', spec(`${net}.1`))).listeners[0].port!;
    expect(DataPlaneThread.running()).not.toBe(thread);
    expect(await whoAnswers(`${net}.1`, again)).toBe('a');
  });
});

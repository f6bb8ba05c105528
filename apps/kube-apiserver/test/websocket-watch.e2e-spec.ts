import WebSocket from 'ws';
import { raw } from './support/raw-client';
import { unwrap, watchFrames } from './support/proto-decoder';
import { eventually, startTestServer, type TestServer } from './support/test-server';

// Watches over WebSocket (api-compat.md §3.5), as fabric8 and Headlamp open them: the handshake
// of golang.org/x/net/websocket (Origin required, one subprotocol echoed), the bearer token in a
// subprotocol, one JSON text message per event (binary protobuf frames when asked for).
jest.setTimeout(60_000);

interface Opened {
  ws: WebSocket;
  messages: { data: Buffer; binary: boolean }[];
  protocol: string;
}

describe('WebSocket watches', () => {
  let t: TestServer;
  const path = '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0';
  const wsUrl = (p: string) => t.server.url.replace(/^https/, 'wss') + p;
  const opened: WebSocket[] = [];

  /** Opens a WebSocket; rejects with the HTTP status of a refused handshake. */
  const open = (
    p: string,
    options: {
      protocols?: string[];
      origin?: string;
      token?: boolean;
      headers?: Record<string, string>;
      autoPong?: boolean;
    } = {},
  ) =>
    new Promise<Opened>((resolve, reject) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== false) {
        headers.Authorization = `Bearer ${t.server.adminToken}`;
      }
      const ws = new WebSocket(wsUrl(p), options.protocols ?? [], {
        ca: t.server.caCert,
        headers,
        ...(options.origin === undefined ? {} : { origin: options.origin }),
        ...(options.autoPong === undefined ? {} : { autoPong: options.autoPong }),
      });
      opened.push(ws);
      const messages: Opened['messages'] = [];
      ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
      ws.on('open', () => resolve({ ws, messages, protocol: ws.protocol }));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
      ws.on('error', reject);
    });

  beforeAll(async () => {
    // Heartbeats every 300 ms: every case also checks that they never reach the message stream.
    t = await startTestServer({ heartbeatMs: 300 });
    await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'first' } }),
      headers: { 'Content-Type': 'application/json' },
    });
  });

  afterAll(async () => {
    for (const ws of opened) {
      ws.terminate();
    }
    await t?.stop();
  });

  const create = (name: string) =>
    raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name } }),
      headers: { 'Content-Type': 'application/json' },
    });

  it('should send one JSON text message per event', async () => {
    const { messages, protocol } = await open(path, { origin: 'https://dashboard.example' });
    expect(protocol).toBe('');
    await eventually(() => expect(messages.length).toBe(1));
    await create('ws-plain');
    await eventually(() => expect(messages.length).toBe(2));
    expect(messages.every((m) => !m.binary)).toBe(true);
    const events = messages.map(
      (m) =>
        JSON.parse(m.data.toString()) as { type: string; object: { metadata: { name: string } } },
    );
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED first',
      'ADDED ws-plain',
    ]);
    expect(messages[0].data.toString().endsWith('}\n')).toBe(true);
  });

  it('should echo base64.binary.k8s.io and authenticate the bearer-token subprotocol (Headlamp)', async () => {
    const token = Buffer.from(t.server.adminToken).toString('base64url');
    const { messages, protocol } = await open(path, {
      protocols: ['base64.binary.k8s.io', `base64url.bearer.authorization.k8s.io.${token}`],
      origin: 'http://localhost:4466',
      token: false,
    });
    expect(protocol).toBe('base64.binary.k8s.io');
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(2));
    expect(JSON.parse(messages[0].data.toString())).toMatchObject({ type: 'ADDED' });
  });

  it('should refuse handshakes as the apiserver does', async () => {
    const token = Buffer.from('not-a-token').toString('base64url');
    await expect(
      open(path, {
        protocols: ['base64.binary.k8s.io', `base64url.bearer.authorization.k8s.io.${token}`],
        origin: 'http://x',
        token: false,
      }),
    ).rejects.toThrow('status 401');
    await expect(
      open(path, {
        protocols: [
          `base64url.bearer.authorization.k8s.io.${Buffer.from(t.server.adminToken).toString('base64url')}`,
        ],
        origin: 'http://x',
        token: false,
      }),
    ).rejects.toThrow('status 401');
    await expect(open(path)).rejects.toThrow('status 403');
    await expect(
      open(path, { origin: 'http://x', protocols: ['v4.channel.k8s.io', 'base64.binary.k8s.io'] }),
    ).rejects.toThrow('status 400');
    await expect(
      open('/api/v1/namespaces/default/configmaps?watch=true&resourceVersionMatch=Exact', {
        origin: 'http://x',
      }),
    ).rejects.toThrow('status 422');
  });

  it('should send protobuf events as binary messages: length, then the event', async () => {
    const { messages } = await open(path, {
      origin: 'http://x',
      headers: { Accept: 'application/vnd.kubernetes.protobuf;stream=watch' },
    });
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(2));
    expect(messages.every((m) => m.binary)).toBe(true);
    expect(messages[0].data.length).toBe(4);
    const frames = watchFrames(Buffer.concat(messages.slice(0, 2).map((m) => m.data)));
    expect(frames[0].type).toBe('ADDED');
    expect(unwrap(frames[0].object)).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('should close the socket when the watch times out, and answer non-watch upgrades over HTTP', async () => {
    const { ws } = await open('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1', {
      origin: 'http://x',
    });
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1000);
    // fabric8 falls back to plain HTTP when the "upgrade" is answered with a 200.
    await expect(
      open('/api/v1/namespaces/default/configmaps', { origin: 'http://x' }),
    ).rejects.toThrow('status 200');
  });

  it('should keep idle watches alive with ping frames, never with messages a client would parse', async () => {
    const idle =
      '/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dnone';
    for (const accept of ['application/json', 'application/vnd.kubernetes.protobuf;stream=watch']) {
      const { ws, messages } = await open(idle, {
        origin: 'http://x',
        headers: { Accept: accept },
      });
      let pings = 0;
      ws.on('ping', () => pings++);
      await eventually(() => expect(pings).toBeGreaterThanOrEqual(3));
      // fabric8 and Headlamp decode every message as an event: a newline would break them.
      expect(messages).toEqual([]);
      expect(ws.readyState).toBe(WebSocket.OPEN);
      await create(`ws-after-idle-${pings}-${accept.length}`);
      ws.terminate();
    }
  });

  it('should drop a peer that stops answering pings', async () => {
    const { ws } = await open(path, { origin: 'http://x', autoPong: false });
    let pings = 0;
    ws.on('ping', () => pings++);
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(1);
  });
});

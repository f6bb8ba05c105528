import { createServer, type Server } from 'node:http';
import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket as NetSocket,
} from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { KubeError } from '../errors/kube-error';
import { CHANNEL_PROTOCOL, channelPorts, serveChannelPortForward } from './channel-port-forward';
import type { PortForwardTarget } from './port-forward-streams';

describe('channelPorts (the ports query of a WebSocket port-forward)', () => {
  it('reads repeated and comma-separated ports', () => {
    expect(channelPorts(new URLSearchParams('ports=80&ports=8080,9090'))).toEqual([80, 8080, 9090]);
  });

  it.each([
    ['', 'query parameter "port" is required'],
    ['ports=', 'query parameter "port" cannot be empty'],
    ['ports=http', 'unable to parse "http" as a port'],
    ['ports=70000', 'unable to parse "70000" as a port'],
    ['ports=80,-1', 'unable to parse "80,-1" as a port'],
    ['ports=0', 'port "0" must be > 0'],
  ])('answers %j with a 400: %s', (query, message) => {
    let error: unknown;
    try {
      channelPorts(new URLSearchParams(query));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe(400);
    expect((error as KubeError).message).toBe(message);
  });
});

describe('serveChannelPortForward (client-node’s PortForward protocol)', () => {
  let http: Server;
  let echo: NetServer;
  let url: string;
  const wss = new WebSocketServer({ noServer: true });
  const served: WebSocket[] = [];
  let slow: NetServer;
  const slowPods: NetSocket[] = [];
  let received = 0;

  beforeAll(async () => {
    echo = createNetServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
    // Port 90: a pod that reads nothing until the test lets it.
    slow = createNetServer((socket) => {
      socket.pause();
      slowPods.push(socket);
      socket.on('data', (d: Buffer) => (received += d.length));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowPort = (slow.address() as AddressInfo).port;
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = (echo.address() as AddressInfo).port;
    const target: PortForwardTarget = {
      sandboxId: 'f'.repeat(64),
      dial: (port) =>
        new Promise((resolve, reject) => {
          const socket = connect({
            host: '127.0.0.1',
            port: port === 80 ? echoPort : port === 90 ? slowPort : 1,
          });
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
      describeDialError: (port, error) => `dial ${port}: ${(error as NodeJS.ErrnoException).code}`,
    };
    http = createServer();
    http.on('upgrade', (req, socket, head) => {
      const ports = channelPorts(new URL(req.url ?? '/', 'http://x').searchParams);
      wss.handleUpgrade(req, socket, head, (ws) => {
        serveChannelPortForward(ws, ports, target);
        served.push(ws);
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    wss.close();
    await new Promise((r) => http.close(r));
    await new Promise((r) => echo.close(r));
    slowPods.forEach((pod) => pod.destroy());
    await new Promise((r) => slow.close(r));
  });

  /** Messages by channel, with the two port bytes each channel opens with. */
  function collect(ws: WebSocket): Map<number, Buffer> {
    const channels = new Map<number, Buffer>();
    ws.on('message', (m: Buffer) =>
      channels.set(m[0], Buffer.concat([channels.get(m[0]) ?? Buffer.alloc(0), m.subarray(1)])),
    );
    return channels;
  }

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('opens each channel with its port, carries data both ways, and reports a refused port', async () => {
    const ws = new WebSocket(`${url}/?ports=80&ports=81`, CHANNEL_PROTOCOL);
    const channels = collect(ws);
    await new Promise((r) => ws.once('open', r));
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('sent before the dial')]));
    await until(() => (channels.get(0)?.length ?? 0) >= 22 && (channels.get(3)?.length ?? 0) > 2);
    expect(channels.get(0)?.readUInt16LE(0)).toBe(80);
    expect(channels.get(0)?.subarray(2).toString()).toBe('sent before the dial');
    expect(channels.get(1)?.readUInt16LE(0)).toBe(80);
    expect(channels.get(2)?.readUInt16LE(0)).toBe(81);
    expect(channels.get(3)?.subarray(2).toString()).toBe(
      `error forwarding port 81 to pod ${'f'.repeat(64)}, uid : dial 81: ECONNREFUSED`,
    );
    ws.close();
  });

  it('stops reading the client while a pod does not take its data, and reads on once it does', async () => {
    const ws = new WebSocket(`${url}/?ports=90`, CHANNEL_PROTOCOL);
    await new Promise((r) => ws.once('open', r));
    const chunk = Buffer.concat([Buffer.of(0), Buffer.alloc(256 * 1024, 1)]);
    for (let i = 0; i < 64; i++) {
      ws.send(chunk); // 16 MiB at a pod that reads nothing
    }
    try {
      const server = served.at(-1)!;
      await until(() => server.isPaused);
      expect(server.isPaused).toBe(true);
      slowPods.forEach((pod) => pod.resume());
      await until(() => !server.isPaused && received >= 64 * 256 * 1024);
      expect(received).toBe(64 * 256 * 1024);
      expect(server.isPaused).toBe(false);
    } finally {
      ws.terminate();
      slowPods.forEach((pod) => pod.destroy());
    }
  });

  it('survives a malformed frame: that connection ends, the process does not', async () => {
    const socket = connect((http.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      'GET /?ports=80 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((r) => socket.once('data', r)); // 101
    // Without a listener, ws's 'error' for a bad frame is an uncaught exception in the api-server
    // (jest does not fail on it, so the listener is checked too).
    expect(served.at(-1)?.listenerCount('error')).toBeGreaterThan(0);
    socket.write(Buffer.from([0x82, 0x02, 0x00, 0x41])); // unmasked: a protocol error
    await new Promise((r) => socket.once('close', r));
    const ws = new WebSocket(`${url}/?ports=80`, CHANNEL_PROTOCOL);
    await new Promise((r) => ws.once('open', r));
    ws.close();
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHttpTransport } from './http-transport';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A loopback server whose handler each test sets; counts the connections it accepted. */
async function startServer(): Promise<{
  url: string;
  handle: (h: Handler) => void;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let handler: Handler = (_req, _body, res) => res.end();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handle: (h) => (handler = h),
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('nodeHttpTransport', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const transport = nodeHttpTransport();

  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('should send method, headers and a multi-byte body, and read status, headers and text', async () => {
    server.handle((req, body, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Request-Id', 'req-1');
      res.statusCode = 201;
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });

    const res = await transport({
      method: 'POST',
      url: `${server.url}/v1/things?x=1`,
      headers: { Authorization: 'Bearer t' },
      body: JSON.stringify({ name: 'zoë ☁' }),
      timeoutMs: 5_000,
    });

    expect(res.status).toBe(201);
    expect(res.header('x-request-id')).toBe('req-1');
    expect(res.header('X-Request-Id')).toBe('req-1');
    expect(res.header('etag')).toBeUndefined();
    expect(JSON.parse(res.text)).toEqual({
      method: 'POST',
      auth: 'Bearer t',
      body: '{"name":"zoë ☁"}',
    });
  });

  it('should reuse one kept-alive connection for calls one after another', async () => {
    server.handle((_req, _body, res) => res.end('ok'));
    for (let i = 0; i < 5; i++) {
      const res = await transport({
        method: 'GET',
        url: `${server.url}/`,
        headers: {},
        timeoutMs: 5_000,
      });
      expect(res.text).toBe('ok');
    }
    expect(server.connections()).toBe(1);
  });

  it('should give up on a server that never answers after the timeout, as a TimeoutError', async () => {
    server.handle(() => undefined);
    const started = Date.now();

    await expect(
      transport({ method: 'GET', url: `${server.url}/`, headers: {}, timeoutMs: 200 }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('should count the answer body in the timeout', async () => {
    server.handle((_req, _body, res) => {
      res.write('partial'); // and never ends
    });

    await expect(
      transport({ method: 'GET', url: `${server.url}/`, headers: {}, timeoutMs: 200 }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('should reject as a reset connection when the server goes away mid-answer', async () => {
    server.handle((_req, _body, res) => {
      res.setHeader('Content-Length', '100');
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });

    await expect(
      transport({ method: 'GET', url: `${server.url}/`, headers: {}, timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('should reject with the socket error code when nothing listens', async () => {
    const { url } = server;
    await server.close();
    server = await startServer(); // for afterEach; the old port is closed

    await expect(
      transport({ method: 'GET', url: `${url}/`, headers: {}, timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('should refuse a CA bundle together with insecureSkipVerify', () => {
    expect(() => nodeHttpTransport({ ca: 'pem', insecureSkipVerify: true })).toThrow(/exclude/);
  });
});

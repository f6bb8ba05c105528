import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeRest } from './kube-rest';

/** A plain-http server answering from a script of (status, headers) steps, counting requests. */
async function scriptedServer(
  steps: { status: number; headers?: Record<string, string> }[],
): Promise<{ server: Server; url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    const step = steps[Math.min(n++, steps.length - 1)];
    req.resume();
    res.writeHead(step.status, { 'Content-Type': 'application/json', ...step.headers });
    res.end(
      JSON.stringify(
        step.status < 400
          ? { kind: 'Pod', metadata: { name: 'p' } }
          : { kind: 'Status', code: step.status, message: 'Too many requests' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => n };
}

function restFor(url: string): KubeRest {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new KubeRest(kc);
}

describe('KubeRest and 429 Too Many Requests', () => {
  let close: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(steps: { status: number; headers?: Record<string, string> }[]) {
    const s = await scriptedServer(steps);
    close = () => new Promise<void>((resolve) => s.server.close(() => resolve()));
    return s;
  }

  it('retries a 429 that says Retry-After, as client-go does, and answers the retry', async () => {
    const s = await serve([
      { status: 429, headers: { 'Retry-After': '0' } },
      { status: 429, headers: { 'Retry-After': '0' } },
      { status: 201 },
    ]);
    await expect(restFor(s.url).create('/api/v1/namespaces/d/pods', {})).resolves.toMatchObject({
      metadata: { name: 'p' },
    });
    expect(s.requests()).toBe(3);
  });

  it('gives a 429 without Retry-After back at once', async () => {
    const s = await serve([{ status: 429 }, { status: 201 }]);
    const failure = await restFor(s.url)
      .create('/api/v1/namespaces/d/pods', {})
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KubeApiError);
    expect((failure as KubeApiError).code).toBe(429);
    expect(s.requests()).toBe(1);
  });

  it('stops after 10 retries', async () => {
    const s = await serve([{ status: 429, headers: { 'Retry-After': '0' } }]);
    const failure = await restFor(s.url)
      .get('/api/v1/pods')
      .catch((e: unknown) => e);
    expect((failure as KubeApiError).code).toBe(429);
    expect(s.requests()).toBe(11);
  });
});

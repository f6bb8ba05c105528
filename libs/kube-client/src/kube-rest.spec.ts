import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { makeApiClient } from './api-clients';
import { KubeRequestTimeoutError, KubeRest } from './kube-rest';

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
  return new KubeRest(kubeConfigFor(url));
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** One create through each client the components use; both must retry as client-go does. */
const callers: [string, (url: string) => Promise<unknown>][] = [
  ['KubeRest', (url) => restFor(url).create('/api/v1/namespaces/d/pods', {})],
  [
    'the generated clients (makeApiClient)',
    (url) =>
      makeApiClient(kubeConfigFor(url), CoreV1Api).createNamespacedPod({
        namespace: 'd',
        body: { metadata: { name: 'p' } },
      }),
  ],
];

describe.each(callers)('%s and Retry-After', (_name, create) => {
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
    await expect(create(s.url)).resolves.toMatchObject({ metadata: { name: 'p' } });
    expect(s.requests()).toBe(3);
  });

  it('retries a 503 that says Retry-After (client-go checkWait)', async () => {
    const s = await serve([{ status: 503, headers: { 'Retry-After': '0' } }, { status: 201 }]);
    await expect(create(s.url)).resolves.toMatchObject({ metadata: { name: 'p' } });
    expect(s.requests()).toBe(2);
  });

  it('gives a 429 without Retry-After back at once, and a 4xx that says it', async () => {
    const s = await serve([
      { status: 429 },
      { status: 409, headers: { 'Retry-After': '0' } },
      { status: 201 },
    ]);
    await expect(create(s.url)).rejects.toMatchObject({ code: 429 });
    await expect(create(s.url)).rejects.toMatchObject({ code: 409 });
    expect(s.requests()).toBe(2);
  });

  it('stops after 10 retries', async () => {
    const s = await serve([{ status: 429, headers: { 'Retry-After': '0' } }]);
    await expect(create(s.url)).rejects.toMatchObject({ code: 429 });
    expect(s.requests()).toBe(11);
  });
});

describe('KubeRest request timeouts', () => {
  let server: Server | undefined;
  const seen: string[] = [];

  /** Answers `?watch` requests only when told, and never answers anything else. */
  async function silentServer(): Promise<{ url: string; answerWatches: () => void }> {
    let answering = false;
    const watches: ServerResponse[] = [];
    const answer = (res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status"}');
    };
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      req.resume();
      if (req.url?.includes('watch=true')) {
        if (answering) {
          answer(res);
        } else {
          watches.push(res);
        }
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      // Held watches are answered now, later ones at once (the watch may still be on its way).
      answerWatches: () => {
        answering = true;
        watches.forEach(answer);
      },
    };
  }

  afterEach(async () => {
    seen.length = 0;
    const s = server;
    server = undefined;
    s?.closeAllConnections();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  });

  it('gives up on a call that never answers, with a timeout error naming the call', async () => {
    const { url } = await silentServer();
    const failure = await new KubeRest(kubeConfigFor(url), 50)
      .replace('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x', {})
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KubeRequestTimeoutError);
    expect((failure as Error).message).toBe(
      'PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x: no answer within 0.05s (Client.Timeout exceeded while awaiting the answer)',
    );
  });

  it('keeps identity and pool in withTimeout, and a per-call timeout wins', async () => {
    const { url } = await silentServer();
    const rest = new KubeRest(kubeConfigFor(url), 0).withBearerToken('node-token').withTimeout(30);
    await expect(rest.get('/api/v1/nodes/a')).rejects.toBeInstanceOf(KubeRequestTimeoutError);
    expect(seen).toEqual(['GET /api/v1/nodes/a Bearer node-token']);
    await expect(
      rest.request({ method: 'GET', path: '/api/v1/nodes/b', timeoutMs: 20 }),
    ).rejects.toMatchObject({ timeoutMs: 20 });
  });

  it('never times out a watch (long-running, as upstream)', async () => {
    const { url, answerWatches } = await silentServer();
    const rest = new KubeRest(kubeConfigFor(url), 20);
    const watch = rest.get('/api/v1/pods', { watch: true });
    // A plain call started after the watch times out; the watch is still waiting then.
    await expect(rest.get('/api/v1/pods')).rejects.toBeInstanceOf(KubeRequestTimeoutError);
    answerWatches();
    await expect(watch).resolves.toEqual({ kind: 'Status' });
  });

  it('aborts with the caller’s signal before the timeout', async () => {
    const { url } = await silentServer();
    const abort = new AbortController();
    const call = new KubeRest(kubeConfigFor(url), 60_000).get('/api/v1/pods', {}, abort.signal);
    abort.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});

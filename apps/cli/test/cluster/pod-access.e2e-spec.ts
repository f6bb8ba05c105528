import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { WebSocket } from 'ws';
import { environmentWith } from '@app/config';
import { PortForward, loadKubeConfig } from '@app/kube-client';
import { ClusterHarness, isRunningAndReady, waitFor } from './cluster-harness';

// Reaching pods of simulated kubelets from outside the cluster, through the api-server:
// `kubectl port-forward` (the api-server plays the kubelet's streaming server: SPDY/3.1, SPDY
// tunnelled through a WebSocket as kubectl 1.31+ sends it, and client-node's channel protocol) and
// the pods/proxy and services/proxy subresources (`kubectl proxy`, `kubectl get --raw`). Each
// joins the pod's responder. Everything through the real kubectl and client-node.
jest.setTimeout(180_000);

interface Forward {
  process: ChildProcess;
  localPort: number;
  output: () => string;
  closed: Promise<number | null>;
}

/** The bundled kubectl of one minor, when this machine has it (as the kubectl matrix finds them). */
function kubectlMinor(minor: string): string | undefined {
  try {
    const dispatcher = execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim();
    const path = join(dirname(realpathSync(dispatcher)), `kubectl.${minor}`);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** Sends `data`, half-closes, and returns everything that comes back until the far end closes. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.end(data);
  });
}

describe('kubectl port-forward and proxy to simulated pods', () => {
  let h: ClusterHarness;
  const forwards: Forward[] = [];

  /** Starts `kubectl port-forward <args> :<remote>` and waits for its "Forwarding from" line. */
  async function portForward(
    target: string,
    remotePort: number,
    options: { env?: Record<string, string>; kubectl?: string } = {},
  ): Promise<Forward> {
    const child = spawn(
      options.kubectl ?? 'kubectl',
      [
        '--kubeconfig',
        h.nimbus.kubeconfigPath,
        'port-forward',
        target,
        `:${remotePort}`,
        '--address',
        '127.0.0.1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: environmentWith(options.env ?? {}) },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    const output = () => text;
    const forward: Forward = { process: child, localPort: 0, output, closed };
    forwards.push(forward);
    forward.localPort = await waitFor(
      () => {
        const match = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/.exec(text);
        return match ? Number(match[1]) : undefined;
      },
      { message: 'kubectl port-forward listening', timeoutMs: 30_000, describeLast: output },
    );
    return forward;
  }

  beforeAll(async () => {
    h = await ClusterHarness.start({ workers: 1 });
    await h.apply(
      h
        .podManifest('web', 'worker-1', {
          container: { ports: [{ containerPort: 80 }] },
        })
        .replace('"metadata":{', '"metadata":{"labels":{"app":"web"},'),
    );
    await h.apply(
      h.podManifest('echo', 'worker-1', {
        annotations: { 'sim.nimbus.dev/serve': 'echo' },
        container: { ports: [{ containerPort: 7000 }] },
      }),
    );
    await h.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80 }] },
      }),
    );
    await h.waitForPod('web', isRunningAndReady, 'Running and Ready');
    await h.waitForPod('echo', isRunningAndReady, 'Running and Ready');
  });

  afterEach(() => {
    for (const forward of forwards.splice(0)) {
      forward.process.kill();
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['the WebSocket tunnel (kubectl 1.31+)', {}],
    [
      'SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)',
      { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
    ],
  ])('forwards a local port to the pod responder through %s', async (_how, env) => {
    const forward = await portForward('pod/web', 80, { env });
    const answer = await get(forward.localPort, '/hello?x=1');
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { pod: string; port: number; request: { url: string } };
    expect(body).toMatchObject({ pod: 'web', port: 80, request: { url: '/hello?x=1' } });
    expect((await get(forward.localPort, '/hostname')).body).toBe('web');
    expect(forward.output()).toContain(`Handling connection for ${forward.localPort}`);
  });

  it('carries bytes both ways intact, for many connections at once', async () => {
    const forward = await portForward('pod/echo', 7000);
    const big = randomBytes(2 * 1024 * 1024);
    expect((await roundTrip(forward.localPort, big)).equals(big)).toBe(true);
    const messages = Array.from({ length: 10 }, (_, i) =>
      Buffer.from(`connection ${i} `.repeat(500)),
    );
    const echoed = await Promise.all(messages.map((m) => roundTrip(forward.localPort, m)));
    echoed.forEach((e, i) => expect(e.equals(messages[i])).toBe(true));
  });

  it('forwards to the pod behind a Service, on its target port', async () => {
    const forward = await portForward('svc/web', 8080);
    expect(forward.output()).toMatch(/Forwarding from 127\.0\.0\.1:\d+ -> 80/);
    expect((await get(forward.localPort, '/hostname')).body).toBe('web');
  });

  it('reports a port nothing listens on as a real cluster does, and stops', async () => {
    const forward = await portForward('pod/web', 81);
    await expect(get(forward.localPort, '/')).rejects.toThrow();
    expect(await forward.closed).not.toBe(0);
    const output = forward.output();
    expect(output).toMatch(
      /an error occurred forwarding \d+ -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\"\/var\/run\/netns\/cni-[0-9a-f-]{36}\\": failed to connect to localhost:81 inside namespace \\"[0-9a-f]{64}\\", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused/,
    );
    expect(output).toContain('error: lost connection to pod');
  });

  it('answers an older kubectl that speaks SPDY only (1.27, when installed)', async () => {
    const kubectl = kubectlMinor('1.27');
    if (!kubectl) {
      console.warn('kubectl.1.27 is not installed next to the kubectl dispatcher; skipped');
      return;
    }
    const forward = await portForward('pod/web', 80, { kubectl });
    expect((await get(forward.localPort, '/hostname')).body).toBe('web');
  });

  it('refuses a pod that is not there, and a user who may read pods but not forward to them', async () => {
    const put = await h.kubectl(
      ['replace', '--raw', '/api/v1/namespaces/default/pods/web/portforward', '-f', '-'],
      { input: '{}', timeoutMs: 15_000 },
    );
    expect(put.stderr).toContain('(MethodNotAllowed)');
    const missing = await h.kubectl(['port-forward', 'pod/nope', ':80'], { timeoutMs: 15_000 });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('pods "nope" not found');
    await h.apply(
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      }),
    );
    await h.k(['create', 'rolebinding', 'jane-reads', '--role=pod-reader', '--user=jane']);
    const denied = await h.kubectl(['port-forward', 'pod/web', ':80', '--as', 'jane'], {
      timeoutMs: 15_000,
    });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'User "jane" cannot create resource "pods/portforward" in API group "" in the namespace "default"',
    );
  });

  describe('through @kubernetes/client-node (the channel WebSocket protocol, v4.channel.k8s.io)', () => {
    /** client-node's PortForward on one port; what comes back on the data and error channels. */
    async function clientNodeForward(pod: string, port: number, send: string) {
      const output = new PassThrough();
      const errors = new PassThrough();
      const input = new PassThrough();
      let received = '';
      let failed = '';
      output.on('data', (d: Buffer) => (received += d.toString()));
      errors.on('data', (d: Buffer) => (failed += d.toString()));
      const forward = new PortForward(loadKubeConfig(h.nimbus.kubeconfigPath));
      const ws = (await forward.portForward(
        'default',
        pod,
        [port],
        output,
        errors,
        input,
      )) as WebSocket;
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      input.write(send);
      return { received: () => received, failed: () => failed, closed };
    }

    it('carries a request to the pod and its answer back, then closes with the pod’s side', async () => {
      const forward = await clientNodeForward('web', 80, 'GET /hostname HTTP/1.0\r\n\r\n');
      await forward.closed;
      expect(forward.received()).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
      expect(forward.received()).toMatch(/\r\n\r\nweb$/);
      expect(forward.failed()).toBe('');
    });

    it('echoes bytes through an echo pod', async () => {
      const forward = await clientNodeForward('echo', 7000, 'ping over channels');
      await waitFor(() => forward.received() === 'ping over channels', {
        message: 'the echo',
        describeLast: forward.received,
      });
    });

    it('writes a refused port’s error to the error channel and closes', async () => {
      const forward = await clientNodeForward('web', 81, '');
      await forward.closed;
      expect(forward.failed()).toContain('error forwarding port 81 to pod ');
      expect(forward.failed()).toContain('connect: connection refused');
    });
  });

  describe('pods/proxy and services/proxy', () => {
    const raw = (path: string) => h.kubectl(['get', '--raw', path], { timeoutMs: 15_000 });

    it('answers through a pod, and through a Service by port number, port name and scheme', async () => {
      expect((await raw('/api/v1/namespaces/default/pods/web/proxy/hostname')).stdout).toBe('web');
      const echoed = JSON.parse(
        (await raw('/api/v1/namespaces/default/pods/web:80/proxy/a/b/?q=1')).stdout,
      ) as { request: { url: string; headers: Record<string, string> } };
      expect(echoed.request.url).toBe('/a/b/?q=1');
      expect(echoed.request.headers.authorization).toBeUndefined();
      // Impersonation is the api-server's business: the pod sees neither the headers nor the token.
      const impersonated = await h.kubectl(
        [
          'get',
          '--raw',
          '/api/v1/namespaces/default/pods/web/proxy/',
          '--as',
          'root',
          '--as-group',
          'system:masters',
        ],
        { timeoutMs: 15_000 },
      );
      const headers = (JSON.parse(impersonated.stdout) as typeof echoed).request.headers;
      expect(Object.keys(headers).filter((k) => /^(impersonate|authorization)/i.test(k))).toEqual(
        [],
      );
      // The Endpoints controller fills the Service's endpoints shortly after the pod is Ready.
      await waitFor(
        async () => (await raw('/api/v1/namespaces/default/services/web/proxy/')).code === 0,
        { message: 'the Service web to have an endpoint' },
      );
      for (const id of ['web', 'web:8080', 'http:web:8080']) {
        const answer = await raw(`/api/v1/namespaces/default/services/${id}/proxy/hostname`);
        expect([id, answer.stdout]).toEqual([id, 'web']);
      }
    });

    it('carries other methods and their bodies through kubectl proxy', async () => {
      const proxy = h.kubectl.spawn(['proxy', '--port=0']);
      try {
        const port = await waitFor(
          () => /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(proxy.output())?.[1],
          { message: 'kubectl proxy listening', describeLast: proxy.output },
        );
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/namespaces/default/services/web:8080/proxy/orders`,
          { method: 'POST', body: 'item=1', headers: { 'content-type': 'text/plain' } },
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as {
          pod: string;
          request: { method: string; body: string };
        };
        expect(body).toMatchObject({ pod: 'web', request: { method: 'POST', body: 'item=1' } });
        // upstream's redirect of the bare root, so that relative links resolve under /proxy/
        const root = await fetch(
          `http://127.0.0.1:${port}/api/v1/namespaces/default/pods/web/proxy?x=1`,
          { redirect: 'manual' },
        );
        expect([root.status, root.headers.get('location')]).toEqual([
          301,
          '/api/v1/namespaces/default/pods/web/proxy/?x=1',
        ]);
      } finally {
        proxy.process.kill();
      }
    });

    it('answers upstream’s errors when nothing is there to answer', async () => {
      const refused = await raw('/api/v1/namespaces/default/pods/web:81/proxy/');
      expect(refused.stderr).toMatch(
        /Error from server \(ServiceUnavailable\): error trying to reach service: dial tcp 10\.[\d.]+:81: connect: connection refused/,
      );
      const noPort = await raw('/api/v1/namespaces/default/services/web:9999/proxy/');
      expect(noPort.stderr).toContain('no service port 9999 found for service "web"');
      await h.apply(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'empty' },
          spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] },
        }),
      );
      const empty = await waitFor(
        async () => {
          const answer = await raw('/api/v1/namespaces/default/services/empty/proxy/');
          return answer.stderr.includes('endpoints "empty" not found') ? undefined : answer;
        },
        { message: 'the Endpoints object of "empty"' },
      );
      expect(empty.stderr).toContain('no endpoints available for service "empty"');
      const bad = await raw('/api/v1/namespaces/default/services/ftp:web:21/proxy/');
      expect(bad.stderr).toContain('invalid service request "ftp:web:21"');
      // No legacy /watch/ route for a subresource (a "watch" must not authorise a proxied write).
      const watch = await raw('/api/v1/watch/namespaces/default/pods/web/proxy/');
      expect(watch.stderr).toContain('(NotFound)');
    });

    it('needs pods/proxy: reading pods is not enough', async () => {
      const denied = await h.kubectl(
        ['get', '--raw', '/api/v1/namespaces/default/pods/web/proxy/', '--as', 'jane'],
        { timeoutMs: 15_000 },
      );
      expect(denied.stderr).toContain(
        'User "jane" cannot get resource "pods/proxy" in API group "" in the namespace "default"',
      );
    });
  });
});

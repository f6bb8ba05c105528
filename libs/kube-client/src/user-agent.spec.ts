import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { makeApiClient } from './api-clients';
import { KubeRest } from './kube-rest';
import { kubernetesUserAgent, withUserAgent } from './user-agent';

/** A plain-http server that records every request's headers and answers an empty list. */
async function recordingServer(): Promise<{
  server: Server;
  url: string;
  seen: IncomingHttpHeaders[];
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '1' }, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

function kubeConfigFor(url: string, token = 't0ken'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('kubernetesUserAgent', () => {
  it("should read as client-go's DefaultKubernetesUserAgent", () => {
    expect(kubernetesUserAgent('kubelet')).toMatch(
      /^kubelet\/v1\.32\.0 \((linux|darwin|windows)\/[a-z0-9]+\) kubernetes\/0000000$/,
    );
  });

  it('should drop the version suffix and cut the commit to 7 characters, as adjustVersion/adjustCommit', () => {
    expect(kubernetesUserAgent('kube-scheduler', 'v1.31.2-nimbus', 'abcdef0123')).toMatch(
      /^kube-scheduler\/v1\.31\.2 \(.+\) kubernetes\/abcdef0$/,
    );
    expect(kubernetesUserAgent('x', 'v1.0.0', '')).toMatch(/ kubernetes\/unknown$/);
  });
});

describe('withUserAgent', () => {
  let server: Server;
  let url: string;
  let seen: IncomingHttpHeaders[];

  beforeEach(async () => {
    ({ server, url, seen } = await recordingServer());
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should send the User-Agent and keep the credentials on KubeRest calls', async () => {
    const kc = withUserAgent(
      kubeConfigFor(url),
      'kubelet/v1.32.0 (linux/amd64) kubernetes/0000000',
    );
    await new KubeRest(kc).get('/api/v1/pods');
    await new KubeRest(kc).withBearerToken('node-token').get('/api/v1/pods');
    expect(seen.map((h) => [h['user-agent'], h.authorization])).toEqual([
      ['kubelet/v1.32.0 (linux/amd64) kubernetes/0000000', 'Bearer t0ken'],
      ['kubelet/v1.32.0 (linux/amd64) kubernetes/0000000', 'Bearer node-token'],
    ]);
  });

  it("should send it on client-node's API clients and watches too", async () => {
    const kc = withUserAgent(kubeConfigFor(url), 'kube-scheduler/v1.32.0');
    await makeApiClient(kc, CoreV1Api).listNamespacedPod({ namespace: 'd' });
    const watched = new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/pods',
        {},
        () => undefined,
        () => resolve(),
      );
    });
    await watched;
    expect(seen.map((h) => h['user-agent'])).toEqual([
      'kube-scheduler/v1.32.0',
      'kube-scheduler/v1.32.0',
    ]);
  });

  it('should give two components of one kubeconfig their own User-Agents and leave it unchanged', async () => {
    const shared = kubeConfigFor(url);
    const kubelet = new KubeRest(withUserAgent(shared, 'kubelet/v1.32.0'));
    const scheduler = new KubeRest(withUserAgent(shared, 'kube-scheduler/v1.32.0'));
    await kubelet.get('/api/v1/pods');
    await scheduler.get('/api/v1/pods');
    await new KubeRest(shared).get('/api/v1/pods');
    expect(seen.map((h) => h['user-agent'])).toEqual([
      'kubelet/v1.32.0',
      'kube-scheduler/v1.32.0',
      undefined,
    ]);
  });
});

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureServingCertificates, servingNames } from '@app/tls';
import { withKeepAlive } from './keep-alive';
import { KubeRest } from './kube-rest';

// A burst of more concurrent requests than Node's default pool keeps idle (256), twice: the
// second burst must find every connection of the first still open (no TLS handshake again),
// over one verified TLS context (the cluster CA).
const BURST = 300;
let server: Server;
let handshakes = 0;
let rest: KubeRest;

beforeAll(async () => {
  const certs = await ensureServingCertificates({
    caName: 'ca',
    servingName: 'server',
    caCommonName: 'test-ca',
    commonName: 'test-server',
    names: servingNames('127.0.0.1'),
  });
  server = createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    req.resume();
    // Answer once the whole burst is in flight, so it needs BURST connections at once.
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Pod"}');
    }, 50);
  });
  // As the api-server's (start-kube-apiserver.ts): Node's default 5 s closes connections a slow
  // first burst left idle, racing the second burst's reuse of them ("socket hang up").
  server.keepAliveTimeout = 65_000;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caData: Buffer.from(certs.caCert).toString('base64'),
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  rest = new KubeRest(withKeepAlive(kc));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const burst = () =>
  Promise.all(Array.from({ length: BURST }, () => rest.get('/api/v1/namespaces/d/pods/p')));

it('keeps every connection of a burst for the next one, verified with the cluster CA', async () => {
  await burst();
  const afterFirst = handshakes;
  expect(afterFirst).toBeGreaterThanOrEqual(BURST);
  await burst();
  expect(handshakes - afterFirst).toBe(0);
});

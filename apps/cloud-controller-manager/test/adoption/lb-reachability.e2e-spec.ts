import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CcmHarness, waitFor } from '../harness';
import { cloudLb, createLbService, waitForIngress } from '../service-e2e';
import { adoptionFlags, waitForInitialised } from './adoption-checks';
import { registerNode } from './kubelet-registration';
import { kindNodes } from './local-cluster-nodes';

jest.setTimeout(120_000);

/** A non-loopback IPv4 address of this machine: a "node IP" the host really routes to. */
function localAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (found) {
      return found.address;
    }
  }
  throw new Error('this test needs a non-loopback IPv4 address on the machine (a kind node IP)');
}

/** Binds a free port of 30000–32767 (a nodePort) on `address`, answering like a node's pod. */
async function nodePortServer(
  address: string,
  nodeName: string,
): Promise<{ server: Server; port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const server = createServer((socket) =>
      socket.once('data', (data) => socket.end(`${nodeName} got ${data.toString()}`)),
    );
    try {
      server.listen(port, address);
      await once(server, 'listening');
      return { server, port };
    } catch {
      server.close();
    }
  }
  throw new Error(`no free nodePort on ${address}`);
}

/*
 * The kind user's `curl <ingress IP>` on Linux, with the cloud's load-balancer data plane: the
 * load balancer answers at its host address and forwards to the adopted node's **real** IP at
 * the Service's nodePort (an imported instance is dialled at its own address, not at a loopback
 * stand-in). The node's IP here is this machine's own address; a server on it plays the node's
 * kube-proxy.
 */
describe('reaching a kind node through a Nimbus load balancer', () => {
  let h: CcmHarness;
  let node: { server: Server; port: number };
  const nodeIP = localAddress();

  beforeAll(async () => {
    h = await CcmHarness.start();
    node = await nodePortServer(nodeIP, 'kind-worker');
    const [, worker] = kindNodes();
    await registerNode(h, { ...worker, nodeIP });
    await h.startCcm(adoptionFlags('kind', ''));
    await waitForInitialised(h, 'kind-worker');
  });

  afterAll(async () => {
    await h?.close();
    node?.server.close();
  });

  it('should forward a connection to the LB to the node IP and nodePort', async () => {
    await createLbService(
      h,
      'web',
      {
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: node.port }],
      },
      {
        'service.beta.kubernetes.io/nimbus-load-balancer-health-check-interval': '1',
        'service.beta.kubernetes.io/nimbus-load-balancer-healthy-threshold': '1',
      },
    );
    const svc = await waitForIngress(h, 'web', 60_000);
    const lb = await waitFor(
      async () => {
        const found = await cloudLb(h, svc);
        return found?.dataPlane.state === 'serving' && found;
      },
      { timeoutMs: 60_000, message: 'the load balancer serving' },
    );
    expect(lb.backends.map((b) => [b.ip, b.health])).toEqual([[nodeIP, 'healthy']]);
    const port = lb.dataPlane.ports.find((p) => p.protocol === 'TCP' && p.port === 80)!;
    const socket = connect(port.hostPort ?? 80, port.address ?? lb.dataPlane.address);
    socket.end('GET / HTTP/1.0\r\n\r\n');
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    await once(socket, 'close');
    expect(reply).toBe('kind-worker got GET / HTTP/1.0\r\n\r\n');
  });
});

import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { hostAddressOf, hostPortOf } from '@app/common';
import { noopLogger } from '@app/controller-runtime';
import type { Container, PodObject } from '@app/kube-client';
import { PodResponder, type PodServing } from './pod-responder';

// Real sockets on a loopback address of its own (a random pod IP), closed by every test.
const podIp = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
const host = hostAddressOf(podIp)!;
const pod: PodObject = { metadata: { name: 'web-1', namespace: 'shop' } };
const container = (ports: Container['ports']): Container => ({
  name: 'app',
  image: 'nginx',
  ports,
});

function serving(over: Partial<PodServing> = {}): PodServing {
  return {
    ip: podIp,
    hostNetwork: false,
    mode: 'auto',
    running: [container([{ containerPort: 18080 }, { containerPort: 15353, protocol: 'UDP' }])],
    ...over,
  };
}

const tcpExchange = (port: number, data: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(data));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.once('error', reject);
  });

const udpExchange = (port: number, data: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('message', (m) => {
      socket.close();
      resolve(m.toString());
    });
    socket.once('error', (e) => {
      socket.close();
      reject(e);
    });
    socket.send(data, port, host);
  });

async function eventually<T>(probe: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await probe();
    } catch (err) {
      if (i > 100) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('PodResponder (the stand-in for a pod serving its container ports)', () => {
  let responder: PodResponder;

  beforeEach(() => {
    responder = new PodResponder('worker-1', noopLogger);
  });

  afterEach(async () => {
    await responder.close();
  });

  it('answers HTTP with the pod, echoes other TCP data and UDP datagrams', async () => {
    responder.update(pod, serving());
    const res = await eventually(() =>
      fetch(`http://${host}:${hostPortOf(18080)}/some/path?x=1`, {
        method: 'POST',
        body: 'ping',
        headers: { connection: 'close' },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-nimbus-pod')).toBe('shop/web-1');
    expect(await res.json()).toMatchObject({
      pod: 'web-1',
      namespace: 'shop',
      node: 'worker-1',
      podIP: podIp,
      port: 18080,
      request: { method: 'POST', url: '/some/path?x=1', body: 'ping' },
    });
    const hostname = await fetch(`http://${host}:${hostPortOf(18080)}/hostname`, {
      headers: { connection: 'close' },
    });
    expect(await hostname.text()).toBe('web-1');
    expect(await tcpExchange(hostPortOf(18080), 'raw bytes\n')).toBe('raw bytes\n');
    expect(await eventually(() => udpExchange(hostPortOf(15353), 'datagram'))).toBe('datagram');
    expect(await udpExchange(hostPortOf(15353), 'hostname')).toBe('web-1');
  });

  it('closes the ports when the containers stop, and serves nothing in mode none', async () => {
    responder.update(pod, serving());
    await eventually(() => tcpExchange(hostPortOf(18080), 'x'));
    responder.update(pod, serving({ running: [] }));
    await eventually(async () => {
      const refused = await tcpExchange(hostPortOf(18080), 'x').then(
        () => false,
        () => true,
      );
      if (!refused) {
        throw new Error('still open');
      }
    });
    responder.update(pod, serving({ mode: 'none' }));
    await new Promise((r) => setTimeout(r, 50));
    await expect(tcpExchange(hostPortOf(18080), 'x')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('echo mode echoes even an HTTP request line', async () => {
    responder.update(pod, serving({ mode: 'echo' }));
    const line = 'GET / HTTP/1.1\r\n\r\n';
    expect(await eventually(() => tcpExchange(hostPortOf(18080), line))).toBe(line);
  });
});

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComponentStatuses } from './component-statuses';

/** A loopback /healthz answering with `listener`. */
async function healthz(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz` };
}

const conditionOf = (o: object) => (o as { conditions: Record<string, string>[] }).conditions[0];

describe('ComponentStatuses', () => {
  const servers: Server[] = [];
  afterEach(() => {
    servers.splice(0).forEach((s) => {
      s.closeAllConnections();
      s.close();
    });
  });

  const probe = async (listener: RequestListener, storageFailure?: Error) => {
    const { server, url } = await healthz(listener);
    servers.push(server);
    const statuses = new ComponentStatuses(
      { scheduler: url, controllerManager: url },
      () => storageFailure,
    );
    return statuses;
  };

  it('should report a 500 and a redirect as Unhealthy with upstream prober messages', async () => {
    let status = 500;
    const statuses = await probe((_req, res) => {
      res.writeHead(status, { Location: '/elsewhere' });
      res.end('moved');
    });
    expect(conditionOf(await statuses.get('', 'scheduler'))).toEqual({
      type: 'Healthy',
      status: 'False',
      message: 'HTTP probe failed with statuscode: 500',
    });
    status = 302;
    expect(conditionOf(await statuses.get('', 'scheduler'))).toEqual({
      type: 'Healthy',
      status: 'False',
      message: 'Probe terminated redirects, Response body: moved',
    });
  });

  it('should answer once 10 KiB of an endless body has arrived', async () => {
    const statuses = await probe((_req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(16 * 1024)); // and never ends
    });
    const condition = conditionOf(await statuses.get('', 'controller-manager'));
    expect(condition.status).toBe('True');
    expect(condition.message).toHaveLength(10 * 1024);
  });

  it("should show the store's failure as etcd-0's error", async () => {
    const statuses = await probe((_req, res) => res.end('ok'), new Error('disk I/O error'));
    expect(conditionOf(await statuses.get('', 'etcd-0'))).toEqual({
      type: 'Healthy',
      status: 'False',
      message: '',
      error: 'disk I/O error',
    });
  });
});

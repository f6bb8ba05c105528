import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw } from './support/raw-client';
import {
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

// `kubectl get cs` (v1 ComponentStatus, deprecated and still served): each GET probes the
// scheduler's and the controller-manager's /healthz, here a stand-in answering "ok" and a port
// nothing listens on.
jest.setTimeout(60_000);

describe('componentstatuses', () => {
  let t: TestServer;
  let k: Kubectl;
  let work: string;
  let healthz: Server;
  let refusedUrl: string;

  beforeAll(async () => {
    requireKubectl();
    healthz = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => healthz.listen(0, '127.0.0.1', resolve));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/healthz`;
    await new Promise((resolve) => closed.close(resolve));
    t = await startTestServer({}, undefined, {
      componentStatusTargets: {
        scheduler: `http://127.0.0.1:${(healthz.address() as AddressInfo).port}/healthz`,
        controllerManager: refusedUrl,
      },
    });
    work = mkdtempSync(join(tmpdir(), 'nimbus-cs-'));
    k = kubectlFor(t.server.kubeconfigPath, join(work, 'cache'));
  });

  afterAll(async () => {
    await t?.stop();
    healthz?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('should print the probes as upstream, with the deprecation warning', async () => {
    const r = await k(['get', 'cs']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: v1 ComponentStatus is deprecated in v1.19+');
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
    expect(rows.slice(1).map((row) => row.split(/\s{2,}/).slice(0, 3))).toEqual([
      [
        'controller-manager',
        'Unhealthy',
        `Get "${refusedUrl}": dial tcp ${new URL(refusedUrl).host}: connect: connection refused`,
      ],
      ['scheduler', 'Healthy', 'ok'],
      ['etcd-0', 'Healthy', 'ok'],
    ]);
  });

  it('should get one component by name and answer an unknown one with a 500', async () => {
    const scheduler = JSON.parse(
      (await k(['get', 'componentstatus', 'scheduler', '-o', 'json'])).stdout,
    );
    expect(scheduler).toEqual({
      kind: 'ComponentStatus',
      apiVersion: 'v1',
      metadata: { name: 'scheduler', creationTimestamp: null },
      conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }],
    });
    const unknown = await k(['get', 'cs', 'kubelet']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Error from server: Component not found: kubelet');
  });

  it('should serve get and list only', async () => {
    expect((await raw(t.server, '/api/v1/componentstatuses?watch=true')).status).toBe(405);
    expect((await raw(t.server, '/api/v1/watch/componentstatuses')).status).toBe(404);
    expect(
      (await raw(t.server, '/api/v1/componentstatuses/scheduler', { method: 'DELETE' })).status,
    ).toBe(405);
    const list = (
      await raw(t.server, '/api/v1/componentstatuses?fieldSelector=metadata.name%3Detcd-0')
    ).json<{ items: { metadata: { name: string } }[] }>();
    expect(list.items.map((i) => i.metadata.name)).toEqual(['etcd-0']);
  });
});

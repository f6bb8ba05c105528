import { CoreV1Api, loadKubeConfig, type V1ConfigMap } from '@app/kube-client';
import { startTestServer, type TestServer } from './support/test-server';

// Optimistic concurrency: writers holding stale versions get 409s; nothing is lost silently.
jest.setTimeout(60_000);

describe('concurrent writers', () => {
  let t: TestServer;
  let core: CoreV1Api;

  beforeAll(async () => {
    t = await startTestServer();
    core = loadKubeConfig(t.server.kubeconfigPath).makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await t?.stop();
  });

  const read = () => core.readNamespacedConfigMap({ namespace: 'default', name: 'counter' });
  const write = (cm: V1ConfigMap, count: number) =>
    core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'counter',
      body: { ...cm, data: { count: String(count) } },
    });

  it('should let exactly one of N writers with the same version win', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'counter' }, data: { count: '0' } },
    });
    const snapshot = await read();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => write(snapshot, i + 1)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) {
      expect((r.reason as { code: number }).code).toBe(409);
    }
    const winner = won[0].value;
    expect((await read()).data?.count).toBe(winner.data?.count);
  });

  it('should count every increment when writers retry on conflict', async () => {
    await core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'counter',
      body: { ...(await read()), data: { count: '0' } },
    });
    let conflicts = 0;
    const writer = async (times: number) => {
      for (let done = 0; done < times;) {
        const cm = await read();
        try {
          await write(cm, Number(cm.data?.count) + 1);
          done++;
        } catch (error) {
          if ((error as { code?: number }).code !== 409) {
            throw error;
          }
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => writer(25)));
    expect((await read()).data?.count).toBe('200');
    expect(conflicts).toBeGreaterThan(0);
  });

  it('should not bump the resourceVersion for a no-op update', async () => {
    const cm = await read();
    const again = await core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'counter',
      body: cm,
    });
    expect(again.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });
});

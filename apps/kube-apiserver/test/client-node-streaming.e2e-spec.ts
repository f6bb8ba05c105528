import {
  CoreV1Api,
  KubeConfig,
  Watch,
  createResilientInformer,
  loadKubeConfig,
  type V1ConfigMap,
  type V1Pod,
} from '@app/kube-client';
import { stream } from './support/raw-client';
import { unwrap, watchFrames } from './support/proto-decoder';
import {
  createServiceAccount,
  eventually,
  startTestServer,
  type TestServer,
} from './support/test-server';

// Streaming lists (client-go ≥ 0.35 informers start with sendInitialEvents) and informers on
// kinds that Go clients read as protobuf, driven through the real @kubernetes/client-node.
jest.setTimeout(60_000);

interface WatchEvent {
  type: string;
  object: V1ConfigMap;
}

describe('client-node: streaming lists and protobuf-capable kinds', () => {
  let t: TestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const aborts: AbortController[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    await createServiceAccount(t.server);
    kc = loadKubeConfig(t.server.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    for (const name of ['s-1', 's-2', 's-3']) {
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name, labels: { s: 'y' } } },
      });
    }
  });

  afterAll(async () => {
    aborts.forEach((a) => a.abort());
    await t?.stop();
  });

  /** Opens a client-node watch and collects its events. */
  async function watch(
    path: string,
    query: Record<string, string | boolean>,
  ): Promise<WatchEvent[]> {
    const events: WatchEvent[] = [];
    const abort = await new Watch(kc).watch(
      path,
      query,
      (type: string, object: V1ConfigMap) => events.push({ type, object }),
      () => undefined,
    );
    aborts.push(abort);
    return events;
  }

  it('should stream the state, the initial-events-end bookmark, then changes', async () => {
    const events = await watch('/api/v1/namespaces/default/configmaps', {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      labelSelector: 's=y',
    });
    await eventually(() => expect(events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object.metadata?.annotations?.['k8s.io/initial-events-end']).toBe('true');
    expect(events.slice(0, 3).map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'ADDED s-1',
      'ADDED s-2',
      'ADDED s-3',
    ]);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 's-4', labels: { s: 'y' } } },
    });
    await eventually(() =>
      expect(events.at(-1)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 's-4' } } }),
    );
  });

  it('should let a watch-list reflector sync from one request and follow changes', async () => {
    // client-go's WatchListClient protocol: no LIST; synced at the bookmark, resume from its RV.
    const store = new Map<string, V1ConfigMap>();
    let syncedAt: string | undefined;
    const abort = await new Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true },
      (type: string, obj: V1ConfigMap) => {
        const name = obj.metadata?.name ?? '';
        if (type === 'BOOKMARK') {
          if (obj.metadata?.annotations?.['k8s.io/initial-events-end'] === 'true') {
            syncedAt = obj.metadata.resourceVersion;
          }
        } else if (type === 'DELETED') {
          store.delete(name);
        } else {
          store.set(name, obj);
        }
      },
      () => undefined,
    );
    aborts.push(abort);
    await eventually(() => expect(syncedAt).toBeDefined());
    const listed = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect([...store.keys()].sort()).toEqual(listed.items.map((c) => c.metadata?.name).sort());
    expect(Number(syncedAt)).toBeGreaterThanOrEqual(Number(listed.metadata?.resourceVersion) - 0);
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 's-1' });
    await core.patchNamespacedConfigMap({
      namespace: 'default',
      name: 's-2',
      body: [{ op: 'add', path: '/data', value: { k: 'v' } }],
    });
    await eventually(() => {
      expect(store.has('s-1')).toBe(false);
      expect(store.get('s-2')?.data).toEqual({ k: 'v' });
    });
  });

  it('should feed a client-node informer JSON while Go-style clients watch the same kind in protobuf', async () => {
    const seen: string[] = [];
    const informer = createResilientInformer<V1Pod>(
      kc,
      '/api/v1/namespaces/default/pods',
      () => core.listNamespacedPod({ namespace: 'default' }),
      {
        add: (p) => seen.push(`add ${p.metadata?.name}`),
        delete: (p) => seen.push(`delete ${p.metadata?.name}`),
      },
      { initialBackoffMs: 100 },
    );
    const proto = await stream(
      t.server,
      '/api/v1/namespaces/default/pods?watch=true&resourceVersion=0',
      {
        Accept: 'application/vnd.kubernetes.protobuf;stream=watch',
      },
    );
    await informer.start();
    try {
      await core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'both' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      });
      await eventually(() => expect(seen).toContain('add both'));
      await eventually(() => expect(watchFrames(proto.bytes()).length).toBe(1));
      const frame = watchFrames(proto.bytes())[0];
      expect(frame.type).toBe('ADDED');
      expect(unwrap(frame.object)).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
      expect(informer.list('default').map((p) => p.metadata?.name)).toEqual(['both']);
    } finally {
      proto.close();
      await informer.stop();
    }
  });
});

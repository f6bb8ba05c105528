import { AdjustableClock } from '@app/common';
import { KubeApiServerConfig, validateConfig } from '@app/config';
import {
  SystemScheduler,
  isDeletedFinalStateUnknown,
  type DeletedFinalStateUnknown,
} from '@app/controller-runtime';
import { tempDir } from '@app/testing';
import { startKubeApiServer, type RunningKubeApiServer } from '../../../apps/kube-apiserver/src';
import { waitFor } from '../../../apps/cloud-controller-manager/test/harness';
import { CoreV1Api, InformerFactory, loadKubeConfig, type V1Node } from '../src';

jest.setTimeout(30_000);

/** No history kept beyond what compaction must keep, so a compaction forces a 410 on resume. */
const startServer = (port: number) =>
  startKubeApiServer(
    validateConfig(KubeApiServerConfig, {
      port,
      dataDir: dir.path,
      logLevel: 'silent',
      retainRevisions: 0,
      retainMs: 0,
    }),
  );
const dir = tempDir('nimbus-informer-');

// The controller-runtime Informer adapter over a real client-node informer and the built-in api-server.
describe('InformerAdapter (e2e)', () => {
  let server: RunningKubeApiServer;
  let core: CoreV1Api;
  let factory: InformerFactory;
  const seen: string[] = [];
  const tombstones: DeletedFinalStateUnknown<V1Node>[] = [];

  beforeAll(async () => {
    server = await startServer(0);
    const kc = loadKubeConfig(server.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'before' } } });
    factory = new InformerFactory(kc, { scheduler: new SystemScheduler(new AdjustableClock()) });
    factory.nodes().addEventHandler({
      onAdd: (n, initial) => seen.push(`add ${n.metadata?.name} initial=${initial}`),
      onUpdate: (old, n) =>
        seen.push(
          `update ${n.metadata?.name} ${old.metadata?.labels?.v ?? '-'}→${n.metadata?.labels?.v ?? '-'}`,
        ),
      onDelete: (n) => {
        if (isDeletedFinalStateUnknown(n)) {
          tombstones.push(n);
        } else {
          seen.push(`delete ${n.metadata?.name}`);
        }
      },
    });
    await factory.start();
  });

  afterAll(async () => {
    await factory?.stop();
    await server?.close();
    dir.remove();
  });

  it('syncs, delivers initial adds, (old, new) updates and deletes', async () => {
    await waitFor(() => factory.nodes().hasSynced(), { message: 'synced' });
    expect(seen).toContain('add before initial=true');
    await core.createNode({ body: { metadata: { name: 'n', labels: { v: '1' } } } });
    await core.replaceNode({
      name: 'n',
      body: {
        ...(await core.readNode({ name: 'n' })),
        metadata: { name: 'n', labels: { v: '2' } },
      },
    });
    await core.deleteNode({ name: 'n' });
    await waitFor(() => seen.includes('delete n'), { message: 'delete seen' });
    expect(seen).toEqual(
      expect.arrayContaining(['add n initial=false', 'update n 1→2', 'delete n']),
    );
    expect(factory.nodes().get('n')).toBeUndefined();
    expect(factory.nodes().get('before')?.metadata?.name).toBe('before');
  });

  it('delivers a deletion noticed only by a relist as a DeletedFinalStateUnknown tombstone', async () => {
    await core.createNode({ body: { metadata: { name: 'gone', labels: { v: 'last' } } } });
    await waitFor(() => factory.nodes().get('gone'), { message: 'gone cached' });
    // The api-server goes away; while the informer is disconnected the node is deleted (through a
    // second server on the same data) and history is compacted, so on reconnect the informer gets
    // 410 Gone, relists, and only then learns that the node disappeared.
    const port = server.port;
    await server.close();
    const other = await startServer(0);
    const otherCore = loadKubeConfig(other.kubeconfigPath).makeApiClient(CoreV1Api);
    await otherCore.deleteNode({ name: 'gone' });
    await otherCore.createNode({ body: { metadata: { name: 'bump' } } });
    other.compact();
    await other.close();
    server = await startServer(port);
    const [tombstone] = await waitFor(() => tombstones.length > 0 && tombstones, {
      timeoutMs: 20_000,
      message: 'tombstone',
    });
    expect(seen).not.toContain('delete gone');
    expect(tombstone.key).toBe('gone');
    expect(tombstone.obj.metadata?.labels).toEqual({ v: 'last' });
  });
});

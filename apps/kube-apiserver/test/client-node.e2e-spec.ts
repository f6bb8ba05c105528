import {
  CoordinationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  SchedulingV1Api,
  createResilientInformer,
  loadKubeConfig,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@app/kube-client';
import { raw } from './support/raw-client';
import {
  createServiceAccount,
  eventually,
  startTestServer,
  type TestServer,
} from './support/test-server';

// @kubernetes/client-node 1.4 (through libs/kube-client) against the built-in server, unmodified.
jest.setTimeout(60_000);

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
});

describe('client-node', () => {
  let t: TestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    t = await startTestServer();
    await createServiceAccount(t.server);
    kc = loadKubeConfig(t.server.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should create, read, replace, list and delete', async () => {
    const created = await core.createNode({
      body: { metadata: { name: 'n1', labels: { zone: 'a' } } },
    });
    expect(created.metadata?.uid).toBeDefined();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await core.readNode({ name: 'n1' });
    read.metadata!.labels = { zone: 'b' };
    const replaced = await core.replaceNode({ name: 'n1', body: read });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(read.metadata?.resourceVersion),
    );
    const list = await core.listNode({});
    expect(list.metadata?.resourceVersion).toBeDefined();
    expect(list.items.map((n) => n.metadata?.name)).toContain('n1');
    await core.createNamespacedPod({ namespace: 'default', body: pod('crud', { app: 'x' }) });
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=x' });
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0].status?.phase).toBe('Pending');
    await core.deleteNamespacedPod({ namespace: 'default', name: 'crud' });
    await core.deleteNode({ name: 'n1' });
    await expect(core.readNode({ name: 'n1' })).rejects.toMatchObject({ code: 404 });
  });

  it('should surface a 404 as code 404 with a Status body', async () => {
    const error = (await core
      .readNamespacedPod({ namespace: 'default', name: 'nope' })
      .catch((e: unknown) => e)) as {
      code: number;
      body: string;
    };
    expect(error.code).toBe(404);
    expect(JSON.parse(error.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('should apply all four patch types', async () => {
    await core.createNode({ body: { metadata: { name: 'patched' } } });
    await core.patchNode(
      { name: 'patched', body: { metadata: { labels: { merge: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.patchNode({
      name: 'patched',
      body: [{ op: 'add', path: '/metadata/labels/json', value: 'yes' }],
    });
    await core.patchNode(
      {
        name: 'patched',
        body: { spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const applied = await core.patchNode(
      {
        name: 'patched',
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'patched', labels: { ssa: 'yes' } },
        },
        fieldManager: 'tests',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.metadata?.labels).toEqual({ merge: 'yes', json: 'yes', ssa: 'yes' });
    expect(applied.spec?.taints).toEqual([{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
    // The same manager no longer applying a label removes it.
    const reapplied = await core.patchNode(
      {
        name: 'patched',
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'patched' } },
        fieldManager: 'tests',
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(reapplied.metadata?.labels).toEqual({ merge: 'yes', json: 'yes' });
    // Another manager changing a field the first one applied conflicts unless forced.
    const apply = (manager: string, zone: string, force?: boolean) =>
      core.patchNode(
        {
          name: 'patched',
          body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'patched', labels: { zone } } },
          fieldManager: manager,
          force,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    await apply('first', 'a');
    const error = (await apply('second', 'b').catch((e: unknown) => e)) as {
      code: number;
      body: string;
    };
    expect(error.code).toBe(409);
    expect(error.body).toContain('conflict with \\"first\\"');
    expect((await apply('second', 'b', true)).metadata?.labels?.zone).toBe('b');
    // The forced field changed owner: the first manager dropping it leaves it alone.
    const dropped = await core.patchNode(
      {
        name: 'patched',
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'patched' } },
        fieldManager: 'first',
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(dropped.metadata?.labels?.zone).toBe('b');
  });

  it('should work through the generic KubernetesObjectApi (legacy discovery, SMP patches)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'generic' },
      provisioner: 'example.com/p',
    };
    await objects.create(sc);
    const patched = await objects.patch({
      ...sc,
      metadata: { name: 'generic', labels: { tier: 'gold' } },
    });
    expect(patched.metadata?.labels).toEqual({ tier: 'gold' });
    const read = await objects.read({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'generic' },
    });
    expect((read as unknown as { reclaimPolicy: string }).reclaimPolicy).toBe('Delete');
    await objects.delete(sc);
    await expect(objects.read(sc)).rejects.toMatchObject({ code: 404 });
  });

  it('should write a JS Date as MicroTime with six digits', async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    await coordination.createNamespacedLease({
      namespace: 'kube-node-lease',
      body: {
        metadata: { name: 'lease-date' },
        spec: { holderIdentity: 'me', renewTime: new Date('2026-11-26T19:00:00.123Z') },
      },
    });
    const lease = (
      await raw(
        t.server,
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/lease-date',
      )
    ).json();
    expect((lease.spec as { renewTime: string }).renewTime).toBe('2026-11-26T19:00:00.123000Z');
  });

  it('should feed an informer adds, updates and deletes, relist after 410 and survive a restart', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('existing') });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const informer = createResilientInformer<V1Pod>(
      kc,
      '/api/v1/namespaces/default/pods',
      () => core.listNamespacedPod({ namespace: 'default' }),
      {
        add: (p) => seen.push(`add ${p.metadata?.name}`),
        update: (p) => seen.push(`update ${p.metadata?.name}`),
        delete: (p) => seen.push(`delete ${p.metadata?.name}`),
        error: (e) => errors.push(e),
      },
      { initialBackoffMs: 100 },
    );
    await informer.start();
    try {
      await eventually(() => expect(seen).toContain('add existing'));
      await core.createNamespacedPod({ namespace: 'default', body: pod('fresh') });
      await core.patchNamespacedPod(
        { namespace: 'default', name: 'fresh', body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedPod({ namespace: 'default', name: 'fresh' });
      await eventually(() =>
        expect(seen).toEqual(expect.arrayContaining(['add fresh', 'update fresh', 'delete fresh'])),
      );

      // 410: history compacted past the informer's version, then its watch drops.
      const listsBefore = await listCount(t);
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'bump' } },
      });
      t.server.compact();
      t.server.closeWatches();
      await eventually(async () => expect(await listCount(t)).toBeGreaterThan(listsBefore));
      await core.createNamespacedPod({ namespace: 'default', body: pod('after-410') });
      await eventually(() => expect(seen).toContain('add after-410'));
      expect(errors).toEqual([]);

      // A restart drops every connection; the informer comes back and keeps going.
      await t.restart();
      core = loadKubeConfig(t.server.kubeconfigPath).makeApiClient(CoreV1Api);
      await eventually(() => core.listNamespacedPod({ namespace: 'default' }), 10_000);
      await core.createNamespacedPod({ namespace: 'default', body: pod('after-restart') });
      await eventually(() => expect(seen).toContain('add after-restart'), 20_000);
      expect(
        informer
          .list('default')
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(['after-410', 'after-restart', 'existing']);
    } finally {
      await informer.stop();
    }
  });

  it('should serve networking.k8s.io and scheduling.k8s.io through the typed APIs', async () => {
    const scheduling = kc.makeApiClient(SchedulingV1Api);
    const networking = kc.makeApiClient(NetworkingV1Api);
    await scheduling.createPriorityClass({
      body: { metadata: { name: 'client-high' }, value: 700 },
    });
    const classes = await scheduling.listPriorityClass({});
    expect(classes.items.map((c) => [c.metadata?.name, c.value])).toEqual(
      expect.arrayContaining([
        ['client-high', 700],
        ['system-node-critical', 2000001000],
      ]),
    );
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: { ...pod('client-prio'), spec: { ...pod('').spec!, priorityClassName: 'client-high' } },
    });
    expect(created.spec?.priority).toBe(700);
    const ingress = await networking.createNamespacedIngress({
      namespace: 'default',
      body: {
        metadata: { name: 'client-web' },
        spec: {
          rules: [
            {
              host: 'web.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    expect(ingress.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const policy = await networking.createNamespacedNetworkPolicy({
      namespace: 'default',
      body: { metadata: { name: 'client-deny' }, spec: { podSelector: {} } },
    });
    expect(policy.spec?.policyTypes).toEqual(['Ingress']);
    await networking.deleteNamespacedIngress({ namespace: 'default', name: 'client-web' });
    await expect(
      networking.readNamespacedIngress({ namespace: 'default', name: 'client-web' }),
    ).rejects.toMatchObject({ code: 404 });
  });
});

/** How many pod LISTs the server has answered (from /metrics). */
async function listCount(t: TestServer): Promise<number> {
  const text = (await raw(t.server, '/metrics')).text;
  const m = /apiserver_request_total\{verb="LIST",group="",resource="pods",code="200"\} (\d+)/.exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

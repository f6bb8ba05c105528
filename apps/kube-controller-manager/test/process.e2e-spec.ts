import { ConfigError, KubeControllerManagerConfig, validateConfig } from '@app/config';
import { CoordinationV1Api, CoreV1Api } from '@app/kube-client';
import { CcmHarness, waitFor } from '../../cloud-controller-manager/test/harness';
import {
  startKubeControllerManager,
  type RunningKubeControllerManager,
} from '../src/start-kube-controller-manager';

jest.setTimeout(30_000);

/** The kube-controller-manager alone against an api-server (no cloud, no kubelets). */
describe('kube-controller-manager process', () => {
  let h: CcmHarness;
  const running: RunningKubeControllerManager[] = [];

  const start = async (flags: Record<string, unknown> = {}) => {
    const kcm = await startKubeControllerManager(
      validateConfig(KubeControllerManagerConfig, {
        kubeconfig: h.apiserver.kubeconfigPath,
        securePort: 0,
        logLevel: 'silent',
        ...flags,
      }),
      { releaseLeaseOnClose: true },
    );
    running.push(kcm);
    return kcm;
  };

  beforeAll(async () => {
    h = await CcmHarness.start();
  });

  afterAll(async () => {
    for (const kcm of running) {
      await kcm.close();
    }
    await h?.close();
  });

  it('takes the Lease kube-system/kube-controller-manager, serves /healthz and /metrics, runs its controllers, stops with 0', async () => {
    const kcm = await start();
    await waitFor(() => kcm.isLeader(), { message: 'leadership' });
    const lease = await h.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({
      namespace: 'kube-system',
      name: 'kube-controller-manager',
    });
    expect(lease.spec?.holderIdentity).toBe(kcm.identity);
    expect(kcm.identity).toMatch(/^.+_[0-9a-f-]{36}$/);
    const healthz = await fetch(`${kcm.healthUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.text()).toBe('ok');
    expect((await fetch(`${kcm.healthUrl}/metrics`)).status).toBe(200);

    // The serviceaccount controller and root-ca-cert-publisher fill a new namespace.
    const core = h.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    await waitFor(
      async () =>
        (await core.listNamespacedServiceAccount({ namespace: 'team-a' })).items.some(
          (sa) => sa.metadata?.name === 'default',
        ),
      { message: 'ServiceAccount team-a/default' },
    );
    await waitFor(
      async () =>
        (await core.listNamespacedConfigMap({ namespace: 'team-a' })).items.some(
          (cm) => cm.metadata?.name === 'kube-root-ca.crt',
        ),
      { message: 'ConfigMap team-a/kube-root-ca.crt' },
    );

    await kcm.close();
    await expect(kcm.exited).resolves.toBe(0);
  });

  it('runs only the controllers --controllers enables', async () => {
    const kcm = await start({ controllers: '*,-serviceaccount' });
    await waitFor(() => kcm.isLeader(), { message: 'leadership' });
    const core = h.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'team-b' } } });
    await waitFor(
      async () =>
        (await core.listNamespacedConfigMap({ namespace: 'team-b' })).items.some(
          (cm) => cm.metadata?.name === 'kube-root-ca.crt',
        ),
      { message: 'ConfigMap team-b/kube-root-ca.crt' },
    );
    const accounts = await core.listNamespacedServiceAccount({ namespace: 'team-b' });
    expect(accounts.items.map((sa) => sa.metadata?.name)).not.toContain('default');
    await kcm.close();
  });

  it('refuses unknown controllers and IPAM without a --cluster-cidr', async () => {
    await expect(start({ controllers: 'nope' })).rejects.toThrow(
      /--controllers: unknown controller\(s\) nope/,
    );
    await expect(start({ allocateNodeCidrs: 'true' })).rejects.toThrow(ConfigError);
    await expect(start({ allocateNodeCidrs: 'true' })).rejects.toThrow(
      '--cluster-cidr is required with --allocate-node-cidrs=true',
    );
  });
});

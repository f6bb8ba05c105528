import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api, SERVICE_ACCOUNT_DIR, inClusterKubeConfig } from '@app/kube-client';
import { tempDir } from '@app/testing';
import { adoptionFlags, waitForInitialised } from './adoption/adoption-checks';
import { registerNode } from './adoption/kubelet-registration';
import { kindNodes } from './adoption/local-cluster-nodes';
import { CcmHarness } from './harness';

/** Upstream's lease timings: the harness's fast ones can lose the lease on a loaded machine. */
const UPSTREAM_LEASE = {
  leaderElect: 'true',
  leaderElectLeaseDuration: '15s',
  leaderElectRenewDeadline: '10s',
  leaderElectRetryPeriod: '2s',
};

jest.setTimeout(120_000);

/*
 * The CCM as the deploy/ Deployment runs it: no --kubeconfig, so the in-cluster config — the
 * ServiceAccount token, CA and namespace a pod gets mounted under
 * /var/run/secrets/kubernetes.io/serviceaccount (here under a temp root), and the api-server
 * address a pod gets from KUBERNETES_SERVICE_HOST/PORT (here the built-in api-server's).
 */
describe('the CCM with the in-cluster config of a pod', () => {
  let h: CcmHarness;
  const root = tempDir('nimbus-pod-');

  beforeAll(async () => {
    h = await CcmHarness.start();
    const dir = join(root.path, SERVICE_ACCOUNT_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), h.apiserver.tokenFor('system:cloud-controller-manager')!);
    writeFileSync(join(dir, 'ca.crt'), h.apiserver.caCert);
    writeFileSync(join(dir, 'namespace'), 'kube-system');
  });

  afterAll(async () => {
    await h?.close();
    root.remove();
  });

  it('should refuse to start without a kubeconfig outside a pod, naming what is missing', () => {
    expect(() => inClusterKubeConfig({ root: join(root.path, 'elsewhere') })).toThrow(
      /no --kubeconfig given and not in a pod \(.*\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token is missing\)/,
    );
  });

  it('should authenticate with the mounted token, verify the api-server with the mounted CA and work', async () => {
    const kc = inClusterKubeConfig({ root: root.path, server: h.apiserver.url });
    expect(kc.getCurrentCluster()).toMatchObject({ skipTLSVerify: false });
    expect(kc.getContexts()[0].namespace).toBe('kube-system');
    await h.startCcm(
      {
        ...adoptionFlags('kind', ''),
        kubeconfig: undefined,
        ...UPSTREAM_LEASE,
      },
      { kubeConfig: kc },
    );
    const [, worker] = kindNodes();
    await registerNode(h, worker);
    await waitForInitialised(h, worker.name);
    const lease = await h.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: 'kube-system', name: 'cloud-controller-manager' });
    expect(lease.spec?.holderIdentity).toBeTruthy();
  });
});

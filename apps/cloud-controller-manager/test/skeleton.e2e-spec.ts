import { CoordinationV1Api } from '@app/kube-client';
import { ConfigError } from '@app/config';
import { CcmHarness, waitFor } from './harness';

// As the global testTimeout: the harness itself gives a CCM 45 s to stop on close.
jest.setTimeout(60_000);

describe('cloud-controller-manager process', () => {
  let h: CcmHarness;

  beforeAll(async () => {
    h = await CcmHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should take the Lease kube-system/cloud-controller-manager as <hostname>_<uuid> and serve /healthz and /metrics', async () => {
    // Roomy timings: a replica that misses a 1.5 s renew deadline on a busy CI machine exits 1.
    const ccm = await h.startCcm({
      leaderElect: 'true',
      leaderElectLeaseDuration: '15s',
      leaderElectRenewDeadline: '10s',
      leaderElectRetryPeriod: '500ms',
    });
    await waitFor(() => ccm.isLeader(), { message: 'leadership' });
    const leases = h.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await leases.readNamespacedLease({
      namespace: 'kube-system',
      name: 'cloud-controller-manager',
    });
    expect(lease.spec?.holderIdentity).toBe(ccm.identity);
    expect(ccm.identity).toMatch(/^.+_[0-9a-f-]{36}$/);
    const healthz = await fetch(`${ccm.healthUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.text()).toBe('ok');
    const metrics = await fetch(`${ccm.healthUrl}/metrics`);
    expect(metrics.status).toBe(200);
    await h.stopCcm(ccm);
    await expect(ccm.exited).resolves.toBe(0);
  });

  it('should refuse to start with an invalid --cluster-cidr or an unknown controller', async () => {
    await expect(h.startCcm({ clusterCidr: '10.244.0.0/33' })).rejects.toThrow(ConfigError);
    await expect(h.startCcm({ clusterCidr: '10.244.0.0/33' })).rejects.toThrow(
      /--cluster-cidr: "10.244.0.0\/33" is not a valid CIDR/,
    );
    await expect(h.startCcm({ controllers: 'nope' })).rejects.toThrow(/unknown controller/);
  });
});

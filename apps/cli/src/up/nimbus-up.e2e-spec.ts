import { NimbusUpConfig, validateConfig } from '@app/config';
import { NimbusCloudClient } from '@app/cloud-client';
import { CoreV1Api, loadKubeConfig } from '@app/kube-client';
import { tempDir } from '@app/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../../cloud-controller-manager/test/harness';
import { CCM_TOKEN_FILE } from './ccm-cloud-token';
import { startNimbusUp, type RunningNimbus } from './start-nimbus-up';
import { upBanner } from './up-banner';

jest.setTimeout(60_000);

const TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';

describe('nimbus up (e2e)', () => {
  const dir = tempDir('nimbus-up-');
  let nimbus: RunningNimbus | undefined;

  afterAll(async () => {
    await nimbus?.close();
    dir.remove();
  });

  const start = () =>
    startNimbusUp(
      validateConfig(NimbusUpConfig, {
        dataDir: dir.path,
        cloudPort: '0',
        apiserverPort: '0',
        ccmPort: '0',
        controllerManagerPort: '-1',
        schedulerPort: '0',
        proxyHealthzPort: '0',
        proxyMetricsPort: '0',
        transitionMs: '0',
        logLevel: 'silent',
      }),
    );

  /** Creates an instance and its tainted Node; resolves with the initialised Node. */
  const joinNode = async (up: RunningNimbus, token: string, name: string) => {
    const cloud = new NimbusCloudClient({ baseUrl: up.cloud.url, token });
    const { instance } = await cloud.instances.create({
      name,
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    const core = loadKubeConfig(up.kubeconfigPath).makeApiClient(CoreV1Api);
    await core.createNode({
      body: {
        metadata: { name },
        spec: { taints: [{ key: TAINT, value: 'true', effect: 'NoSchedule' }] },
      },
    });
    const node = await waitFor(
      async () => {
        const n = await core.readNode({ name });
        return !(n.spec?.taints ?? []).some((t) => t.key === TAINT) && n;
      },
      { message: `${name} initialised by the CCM` },
    );
    expect(node.spec?.providerID).toBe(instance.providerId);
  };

  it('brings up the cloud API, the api-server and the CCM, which initialises a hand-registered Node; a restart keeps working', async () => {
    nimbus = await start();
    const token = nimbus.cloud.generatedTokens.token!;
    expect(token).toBeDefined();
    expect(nimbus.kubeconfigPath).toBe(join(dir.path, 'kubeconfig'));
    expect(existsSync(nimbus.kubeconfigPath)).toBe(true);
    // The CCM got its own cloud token, kept for the next start.
    expect(readFileSync(join(dir.path, CCM_TOKEN_FILE), 'utf8').trim()).not.toBe(token);
    await waitFor(() => nimbus!.ccm.isLeader(), { message: 'the CCM leads' });
    const banner = upBanner(nimbus, validateConfig(NimbusUpConfig, { dataDir: dir.path }));
    expect(banner).toContain(`${nimbus.cloud.url}/docs`);
    expect(banner).toContain(token);
    expect(banner).toContain(nimbus.kubeconfigPath);
    await joinNode(nimbus, token, 'worker-1');

    await nimbus.close();
    nimbus = await start();
    expect(nimbus.cloud.generatedTokens.token).toBeUndefined();
    // The lease was handed back on close, so the new CCM leads at once.
    await waitFor(() => nimbus!.ccm.isLeader(), {
      timeoutMs: 15_000,
      message: 'the CCM leads again',
    });
    await joinNode(nimbus, token, 'worker-2');
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import {
  CloudApiConfig,
  CloudControllerManagerConfig,
  KubeApiServerConfig,
  validateConfig,
  type NimbusUpConfig,
} from '@app/config';
import { kubeConfigWithToken } from '@app/kube-client';
import {
  startCloudControllerManager,
  type RunningCloudControllerManager,
} from '../../../cloud-controller-manager/src';
import { startCloudApi, type RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { startKubeApiServer, type RunningKubeApiServer } from '../../../kube-apiserver/src';
import { ccmCloudToken } from './ccm-cloud-token';

export interface RunningNimbus {
  cloud: RunningCloudApi;
  cloudConfig: CloudApiConfig;
  apiserver: RunningKubeApiServer;
  ccm: RunningCloudControllerManager;
  kubeconfigPath: string;
  /** Stops the CCM (drained), then the api-server and the cloud API. */
  close(): Promise<void>;
}

/**
 * `nimbus up`: the cloud API, the built-in api-server and the CCM pointed at both, sharing one
 * data dir (`cloud.sqlite`, `kube.sqlite`, certificates, `kubeconfig`, `ccm-token`).
 */
export async function startNimbusUp(config: NimbusUpConfig): Promise<RunningNimbus> {
  // Owner-only: it holds keys, tokens and the databases.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const serverLevel = config.logLevel === 'silent' ? 'silent' : 'warn';
  const cloudConfig = validateConfig(CloudApiConfig, {
    port: config.cloudPort,
    host: config.host,
    dataDir: config.dataDir,
    token: config.token,
    adminToken: config.adminToken,
    transitionMs: config.transitionMs,
    lbBind: config.lbBind,
    tls: config.cloudTls,
    tlsSan: config.cloudTlsSan,
    logLevel: serverLevel,
  });
  const cloud = await startCloudApi(cloudConfig);
  let apiserver: RunningKubeApiServer | undefined;
  try {
    const serverLogger = pino({ level: serverLevel, name: 'kube-apiserver' });
    apiserver = await startKubeApiServer(
      validateConfig(KubeApiServerConfig, {
        port: config.apiserverPort,
        host: config.host,
        dataDir: config.dataDir,
        logLevel: serverLevel,
      }),
      { log: (message, error) => serverLogger.error({ err: error }, message) },
    );
    const ccmToken = apiserver.tokenFor('system:cloud-controller-manager') ?? apiserver.adminToken;
    const ccm = await startCloudControllerManager(
      validateConfig(CloudControllerManagerConfig, {
        cloudUrl: cloud.url,
        cloudToken: ccmCloudToken(cloud, config.dataDir, config.token),
        // With --cloud-tls the CCM trusts the CA generated in the data dir, as any client would.
        cloudCaFile: cloud.tls?.caFile,
        clusterName: config.clusterName,
        clusterCidr: config.clusterCidr,
        securePort: config.ccmPort,
        bindAddress: config.host,
        logLevel: config.logLevel,
      }),
      {
        releaseLeaseOnClose: true,
        logger: pino({ level: config.logLevel, name: 'cloud-controller-manager' }),
        kubeConfig: kubeConfigWithToken(
          apiserver.kubeconfigPath,
          ccmToken,
          'system:cloud-controller-manager',
        ),
      },
    );
    const started = apiserver;
    return {
      cloud,
      cloudConfig,
      apiserver: started,
      ccm,
      kubeconfigPath: join(config.dataDir, 'kubeconfig'),
      async close() {
        await ccm.close();
        await started.close();
        await cloud.close();
      },
    };
  } catch (err) {
    await apiserver?.close();
    await cloud.close();
    throw err;
  }
}

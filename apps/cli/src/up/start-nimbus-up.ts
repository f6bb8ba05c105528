import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { AdjustableClock } from '@app/common';
import {
  CloudApiConfig,
  CloudControllerManagerConfig,
  ConfigError,
  KubeApiServerConfig,
  KubeControllerManagerConfig,
  KubeProxyConfig,
  KubeSchedulerConfig,
  KubeletConfig,
  validateConfig,
  type NimbusUpConfig,
} from '@app/config';
import type { RunningCloudControllerManager } from '../../../cloud-controller-manager/src';
import { startCloudApi, type RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import type { KubeApiServerThread } from '../../../kube-apiserver/src';
import type { RunningKubeControllerManager } from '../../../kube-controller-manager/src';
import type { RunningKubeProxy } from '../../../kube-proxy/src';
import type { RunningKubeScheduler } from '../../../kube-scheduler/src';
import type { RunningKubelet } from '../../../kubelet/src';
import { parseFeatureGates } from '../../../cloud-controller-manager/src/feature-gates';
import { ccmCloudToken, componentCloudToken } from './ccm-cloud-token';
import { removeNimbusState } from './fresh-start';
import { restartedOnExit } from './restart-on-exit';
import { recordCloudUrl } from './cloud-url-file';

export interface RunningNimbus {
  /** The clock every component follows: the cloud's (`POST /admin/clock` moves the cluster too). */
  clock: AdjustableClock;
  cloud: RunningCloudApi;
  cloudConfig: CloudApiConfig;
  /** In a worker thread of its own (the second core), reached over HTTPS as before. */
  apiserver: KubeApiServerThread;
  /** The running instance: replaced when `nimbus up` restarts one that lost its lease. */
  controllerManager: RunningKubeControllerManager;
  scheduler: RunningKubeScheduler;
  ccm: RunningCloudControllerManager;
  kubelet: RunningKubelet;
  proxy: RunningKubeProxy;
  kubeconfigPath: string;
  /** Stops everything, in the reverse of the start order. */
  close(): Promise<void>;
}

/** What the steps share while `nimbus up` starts. */
interface UpContext {
  config: NimbusUpConfig;
  clock: AdjustableClock;
  logLevel: NimbusUpConfig['logLevel'];
  serverLevel: NimbusUpConfig['logLevel'];
  nimbus: Partial<RunningNimbus>;
}

/** One component of `nimbus up`: starts it (filling `ctx.nimbus`) and answers how to stop it. */
interface UpStep {
  name: string;
  /**
   * Steps of one phase start together (one's waits for leases and lists overlap the others'
   * loading); a phase starts when the one before is up. 0: the two servers; 1: their clients.
   */
  phase: 0 | 1;
  start(ctx: UpContext): Promise<{ close(): Promise<void> }>;
}

/** A component's own kubeconfig: the api-server's cluster with that component's token. */
async function componentKubeConfig(ctx: UpContext, user: string) {
  const { kubeConfigWithToken } = await import('@app/kube-client');
  const apiserver = ctx.nimbus.apiserver!;
  return kubeConfigWithToken(
    apiserver.kubeconfigPath,
    apiserver.tokenFor(user) ?? apiserver.adminToken,
    user,
  );
}

const logger = (ctx: UpContext, name: string) => pino({ level: ctx.logLevel, name });

/** A component's deps: the shared clock, its logger and its kubeconfig (user `user`). */
async function componentDeps(ctx: UpContext, name: string, user: string) {
  return {
    clock: ctx.clock,
    logger: logger(ctx, name),
    kubeConfig: await componentKubeConfig(ctx, user),
  };
}

/** What both controller managers share: the cluster, the CIDR, their health port. */
function controllerManagerFlags(ctx: UpContext, securePort: number) {
  const { config } = ctx;
  return {
    clusterName: config.clusterName,
    clusterCidr: config.clusterCidr,
    securePort,
    bindAddress: config.host,
    logLevel: config.logLevel,
  };
}

/** What the simulated kubelets and kube-proxies share: the cloud (one token) and the cluster. */
function nodeAgentFlags(ctx: UpContext) {
  const { config } = ctx;
  const cloud = ctx.nimbus.cloud!;
  return {
    cloudUrl: cloud.url,
    // With --cloud-tls every client trusts the CA generated in the data dir, as any client would.
    cloudCaFile: cloud.tls?.caFile,
    cloudToken: componentCloudToken(
      cloud,
      config.dataDir,
      'kubelet',
      'kubelet-token',
      config.token,
    ),
    clusterName: config.clusterName,
    logLevel: config.logLevel,
  };
}

/**
 * The components of `nimbus up`, in the order the banner lists them (the reverse is the stop
 * order). Each step loads its app when its phase comes: `nimbus up` creates the demo workers as
 * soon as the cloud answers, so their instances boot while the rest of the cluster starts.
 */
export const UP_STEPS: readonly UpStep[] = [
  {
    name: 'cloud API',
    phase: 0,
    async start(ctx) {
      const { config } = ctx;
      const cloudConfig = validateConfig(CloudApiConfig, {
        port: config.cloudPort,
        host: config.host,
        dataDir: config.dataDir,
        token: config.token,
        adminToken: config.adminToken,
        transitionMs: config.transitionMs,
        lbBind: config.lbBind,
        dataPlaneThread: config.dataPlaneThread,
        lbIpv4Pool: config.lbIpv4Pool,
        tls: config.cloudTls,
        tlsSan: config.cloudTlsSan,
        logLevel: ctx.serverLevel,
      });
      const cloud = await startCloudApi(cloudConfig, { clock: ctx.clock });
      recordCloudUrl(config.dataDir, cloud.url);
      ctx.nimbus.cloud = cloud;
      ctx.nimbus.cloudConfig = cloudConfig;
      return cloud;
    },
  },
  {
    name: 'kube-apiserver',
    phase: 0,
    async start(ctx) {
      const { config } = ctx;
      const { startKubeApiServerThread } = await import('../../../kube-apiserver/src');
      const apiserver = await startKubeApiServerThread(
        validateConfig(KubeApiServerConfig, {
          port: config.apiserverPort,
          host: config.host,
          dataDir: config.dataDir,
          logLevel: ctx.serverLevel,
          // The simulated kubelets finish graceful deletions themselves.
          podGraceReaper: false,
        }),
        { clock: ctx.clock, logLevel: ctx.serverLevel },
      );
      // A crashed thread exits non-zero: restartedOnExit starts it again, as the kubelet would
      // restart a static kube-apiserver pod.
      ctx.nimbus.apiserver = apiserver;
      ctx.nimbus.kubeconfigPath = join(config.dataDir, 'kubeconfig');
      return apiserver;
    },
  },
  {
    name: 'kube-controller-manager',
    phase: 1,
    async start(ctx) {
      const { config } = ctx;
      const { startKubeControllerManager } = await import('../../../kube-controller-manager/src');
      const kcm = await startKubeControllerManager(
        validateConfig(KubeControllerManagerConfig, {
          ...controllerManagerFlags(ctx, config.controllerManagerPort),
          allocateNodeCidrs: true,
          serviceClusterIpRange: '10.96.0.0/12',
        }),
        {
          ...(await componentDeps(
            ctx,
            'kube-controller-manager',
            'system:kube-controller-manager',
          )),
          releaseLeaseOnClose: true,
        },
      );
      ctx.nimbus.controllerManager = kcm;
      return kcm;
    },
  },
  {
    name: 'kube-scheduler',
    phase: 1,
    async start(ctx) {
      const { config } = ctx;
      const { startKubeScheduler } = await import('../../../kube-scheduler/src');
      const scheduler = await startKubeScheduler(
        validateConfig(KubeSchedulerConfig, {
          securePort: config.schedulerPort,
          bindAddress: config.host,
          logLevel: config.logLevel,
        }),
        {
          // Wall-clock time: backoff and leader election must not stall on a frozen cluster clock.
          logger: logger(ctx, 'kube-scheduler'),
          kubeConfig: await componentKubeConfig(ctx, 'system:kube-scheduler'),
          releaseLeaseOnClose: true,
        },
      );
      ctx.nimbus.scheduler = scheduler;
      return scheduler;
    },
  },
  {
    name: 'cloud-controller-manager',
    phase: 1,
    async start(ctx) {
      const { config } = ctx;
      const { startCloudControllerManager } = await import('../../../cloud-controller-manager/src');
      const ccm = await startCloudControllerManager(
        validateConfig(CloudControllerManagerConfig, {
          ...controllerManagerFlags(ctx, config.ccmPort),
          cloudUrl: ctx.nimbus.cloud!.url,
          cloudCaFile: ctx.nimbus.cloud!.tls?.caFile,
          cloudToken: ccmCloudToken(ctx.nimbus.cloud!, config.dataDir, config.token),
          // cloud-provider-kind runs 5 node workers too: nodes join in parallel.
          concurrentNodeSyncs: 5,
          featureGates: config.ccmFeatureGates,
        }),
        {
          ...(await componentDeps(
            ctx,
            'cloud-controller-manager',
            'system:cloud-controller-manager',
          )),
          releaseLeaseOnClose: true,
          // The kube-proxies' /healthz port (picked when they start if --proxy-healthz-port is 0).
          kubeProxyHealthzPort: () =>
            ctx.nimbus.proxy?.healthzPort() ??
            (config.proxyHealthzPort > 0 ? config.proxyHealthzPort : undefined),
        },
      );
      ctx.nimbus.ccm = ccm;
      return ccm;
    },
  },
  {
    name: 'kubelet',
    phase: 1,
    async start(ctx) {
      const { startKubelet } = await import('../../../kubelet/src');
      const kubelet = await startKubelet(
        // Each simulated node authenticates as system:node:<name> with a token derived from the
        // api-server's node-token key; system:nimbus-kubelet only fills the shared informers.
        validateConfig(KubeletConfig, {
          ...nodeAgentFlags(ctx),
          nodeTokenKeyFile: ctx.nimbus.apiserver!.nodeTokenKeyFile,
        }),
        await componentDeps(ctx, 'kubelet', 'system:nimbus-kubelet'),
      );
      ctx.nimbus.kubelet = kubelet;
      return kubelet;
    },
  },
  {
    name: 'kube-proxy',
    phase: 1,
    async start(ctx) {
      const { startKubeProxy } = await import('../../../kube-proxy/src');
      const proxy = await startKubeProxy(
        validateConfig(KubeProxyConfig, {
          ...nodeAgentFlags(ctx),
          healthzBindAddress: `0.0.0.0:${ctx.config.proxyHealthzPort}`,
          dataPlaneThread: ctx.config.dataPlaneThread,
          metricsBindAddress:
            ctx.config.proxyMetricsPort < 0
              ? ''
              : `${ctx.config.host}:${ctx.config.proxyMetricsPort}`,
        }),
        await componentDeps(ctx, 'kube-proxy', 'system:kube-proxy'),
      );
      ctx.nimbus.proxy = proxy;
      return proxy;
    },
  },
];

/**
 * `nimbus up` flags for an embedded stack (tests, benches): any free ports, no controller-manager
 * health servers, instant cloud transitions, no demo workers, silent logs.
 */
export function embeddedUpFlags(dataDir: string, token: string, adminToken: string) {
  return {
    dataDir,
    cloudPort: '0',
    apiserverPort: '0',
    ccmPort: '-1',
    controllerManagerPort: '-1',
    schedulerPort: '-1',
    proxyHealthzPort: '0',
    proxyMetricsPort: '-1',
    transitionMs: '0',
    token,
    adminToken,
    logLevel: 'silent',
    workers: '0',
  };
}

/**
 * `nimbus up`: the cloud API and the whole simulated cluster (api-server, kube-scheduler,
 * controller managers, kubelets, kube-proxies) in one process, sharing one data dir and the cloud's clock.
 * `onReady(step)` is told as each component comes up (the banner prints it).
 */
export async function startNimbusUp(
  config: NimbusUpConfig,
  onReady: (component: string, running: Partial<RunningNimbus>) => void = () => undefined,
): Promise<RunningNimbus> {
  // Options the components read only when they start are checked first: bad input changes nothing.
  try {
    parseFeatureGates(config.ccmFeatureGates);
  } catch (err) {
    throw err instanceof ConfigError
      ? new ConfigError(err.message.replace(/^--feature-gates/, '--ccm-feature-gates'))
      : err;
  }
  if (config.fresh) {
    removeNimbusState(config.dataDir);
  }
  // Owner-only: it holds keys, tokens and the databases.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const ctx: UpContext = {
    config,
    clock: new AdjustableClock(),
    logLevel: config.logLevel,
    serverLevel: config.logLevel === 'silent' ? 'silent' : 'warn',
    nimbus: {},
  };
  const started: ({ close(): Promise<void> } | undefined)[] = UP_STEPS.map(() => undefined);
  let closing = false;
  const stopAll = async () => {
    closing = true;
    for (let index = started.length - 1; index >= 0; index--) {
      const component = started[index];
      started[index] = undefined;
      await component?.close();
    }
  };
  try {
    for (const phase of [0, 1] as const) {
      const steps = UP_STEPS.map((step, index) => ({ step, index })).filter(
        ({ step }) => step.phase === phase,
      );
      const starting = steps.map(({ step, index }) =>
        step.start(ctx).then((component) => {
          started[index] = restartedOnExit(component, {
            name: step.name,
            start: () => step.start(ctx),
            closing: () => closing,
            log: logger(ctx, 'nimbus'),
          });
        }),
      );
      // Each is awaited below in banner order; one failing before an earlier one is up must not
      // count as an unhandled rejection meanwhile (Node would end the process with it).
      for (const p of starting) {
        p.catch(() => undefined);
      }
      // Told in banner order as each is up; every start is awaited, so a failure stops them all.
      let failure: Error | undefined;
      for (const [k, { step }] of steps.entries()) {
        try {
          await starting[k];
          onReady(step.name, ctx.nimbus);
        } catch (err) {
          failure ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      if (failure !== undefined) {
        throw failure;
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  let closed: Promise<void> | undefined;
  // The object the steps fill, not a copy: a component restarted after losing its lease replaces
  // its entry, so `nimbus.controllerManager` is always the running instance.
  return Object.assign(ctx.nimbus as RunningNimbus, {
    clock: ctx.clock,
    close: () => (closed ??= stopAll()),
  });
}

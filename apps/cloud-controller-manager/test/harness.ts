import type { InstanceDto } from '@app/cloud-contracts';
import { NimbusCloudClient } from '@app/cloud-client';
import {
  CloudApiConfig,
  CloudControllerManagerConfig,
  KubeApiServerConfig,
  validateConfig,
} from '@app/config';
import {
  CoreV1Api,
  PatchStrategy,
  loadKubeConfig,
  setHeaderOptions,
  type KubeConfig,
  type V1Event,
  type V1Node,
  type V1NodeAddress,
} from '@app/kube-client';
import { tempDir } from '@app/testing';
import { AdjustableClock } from '@app/common';
import type { Logger, ManualScheduler } from '@app/controller-runtime';
import { startCloudApi, type RunningCloudApi } from '../../cloud-api/src/start-cloud-api';
import {
  startKubeApiServer,
  startKubeApiServerThread,
  type RunningKubeApiServer,
} from '../../kube-apiserver/src';
import {
  startCloudControllerManager,
  type CloudControllerManagerDeps,
  type RunningCloudControllerManager,
} from '../src';

export const CLOUD_TOKEN = 'ccm-e2e-project-token-0001';
export const CLOUD_ADMIN_TOKEN = 'ccm-e2e-admin-token-000001';
export const UNINITIALIZED_TAINT = 'node.cloudprovider.kubernetes.io/uninitialized';
export const SHUTDOWN_TAINT = 'node.cloudprovider.kubernetes.io/shutdown';
export const ZONE = 'nimbus-1a';
export const INSTANCE_TYPE = 'nb.small';

/** CCM flags that keep the e2e suite fast (everything else keeps the upstream default). */
export const FAST_CCM_FLAGS: Record<string, unknown> = {
  nodeMonitorPeriod: '300ms',
  routeReconciliationPeriod: '500ms',
  nodeStatusUpdateFrequency: '1s',
  leaderElect: 'false',
  leaderElectLeaseDuration: '2s',
  leaderElectRenewDeadline: '1500ms',
  leaderElectRetryPeriod: '300ms',
  securePort: '0',
  logLevel: 'silent',
};

export interface NodeSpecOptions {
  /** Default true: registered like a kubelet with `--cloud-provider=external`. */
  tainted?: boolean;
  providerID?: string;
  podCIDRs?: string[];
  /** Ready condition status; absent = no conditions. */
  ready?: 'True' | 'False' | 'Unknown';
  addresses?: V1NodeAddress[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
  /** Says what was last seen, for the timeout message (default: the probe's last value or error). */
  describeLast?: () => string;
}

/**
 * The real stack in-process for CCM e2e tests: the built-in kube-apiserver and the cloud API on
 * ephemeral loopback ports with temp data dirs (cloud transitions immediate), an admin client for
 * both, and CCMs started on demand with short periods.
 */
/** What tests use of the api-server, on the main thread or in its worker thread. */
export type HarnessApiServer = Pick<
  RunningKubeApiServer,
  'url' | 'port' | 'kubeconfigPath' | 'caCert' | 'tokenFor' | 'close'
>;

export class CcmHarness {
  readonly ccms: RunningCloudControllerManager[] = [];

  private constructor(
    public apiserver: HarnessApiServer,
    readonly cloudApi: RunningCloudApi,
    readonly cloud: NimbusCloudClient,
    readonly kubeConfig: KubeConfig,
    readonly core: CoreV1Api,
    private readonly dirs: { path: string; remove(): void }[],
    private readonly apiServerThread: boolean,
  ) {}

  private readonly companions: { close(): Promise<void> }[] = [];

  /**
   * `cloudOptions` are cloud API options; `cloudClock` replaces the cloud's clock (freeze it to keep
   * load balancers provisioning until the test advances it); `apiServerThread` runs the
   * api-server in a worker thread, as `nimbus up` does (the benches measure that layout).
   */
  static async start(
    cloudOptions: Record<string, unknown> = {},
    runtime: { cloudClock?: AdjustableClock; apiServerThread?: boolean } = {},
  ): Promise<CcmHarness> {
    const kubeDir = tempDir('nimbus-ccm-kube-');
    const cloudDir = tempDir('nimbus-ccm-cloud-');
    const thread = runtime.apiServerThread === true;
    const apiserver = await startApiServer(kubeDir.path, 0, thread);
    const cloudApi = await startCloudApi(
      validateConfig(CloudApiConfig, {
        port: 0,
        dataDir: cloudDir.path,
        logLevel: 'silent',
        token: CLOUD_TOKEN,
        adminToken: CLOUD_ADMIN_TOKEN,
        transitionMs: 0,
        ...cloudOptions,
      }),
      { clock: runtime.cloudClock },
    );
    const cloud = new NimbusCloudClient({ baseUrl: cloudApi.url, token: CLOUD_TOKEN });
    const kc = loadKubeConfig(apiserver.kubeconfigPath);
    return new CcmHarness(
      apiserver,
      cloudApi,
      cloud,
      kc,
      kc.makeApiClient(CoreV1Api),
      [kubeDir, cloudDir],
      thread,
    );
  }

  /**
   * Stops the api-server, runs `whileDown`, then starts it again on the same port and data dir,
   * as a restart of its process would (clients keep their kubeconfig; the state is kept).
   */
  async restartApiServer(whileDown: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    const { port } = this.apiserver;
    await this.apiserver.close();
    await whileDown();
    this.apiserver = await startApiServer(this.kubeDataDir, port, this.apiServerThread);
  }

  private get kubeDataDir(): string {
    return this.dirs[0].path;
  }

  /** CCM config: fast flags, then `flags` (raw option values as the CLI would pass them). */
  ccmConfig(flags: Record<string, unknown> = {}): CloudControllerManagerConfig {
    return validateConfig(CloudControllerManagerConfig, {
      kubeconfig: this.apiserver.kubeconfigPath,
      cloudUrl: this.cloudApi.url,
      cloudToken: CLOUD_TOKEN,
      ...FAST_CCM_FLAGS,
      ...flags,
    });
  }

  async startCcm(
    flags: Record<string, unknown> = {},
    deps: CloudControllerManagerDeps = {},
  ): Promise<RunningCloudControllerManager> {
    const ccm = await startCloudControllerManager(this.ccmConfig(flags), deps);
    this.ccms.push(ccm);
    return ccm;
  }

  async stopCcm(ccm: RunningCloudControllerManager): Promise<void> {
    await ccm.close();
    this.ccms.splice(this.ccms.indexOf(ccm), 1);
  }

  /** Stops and starts again with the same flags/deps (a restart of the process). */
  async restartCcm(
    ccm: RunningCloudControllerManager,
    flags: Record<string, unknown> = {},
    deps: CloudControllerManagerDeps = {},
  ): Promise<RunningCloudControllerManager> {
    await this.stopCcm(ccm);
    return this.startCcm(flags, deps);
  }

  /** A running instance (transitions are immediate) named like the node that will join. */
  async createInstance(
    name: string,
    options: { zone?: string; instanceType?: string; assignPublicIp?: boolean } = {},
  ): Promise<InstanceDto> {
    const op = await this.cloud.instances.create({
      name,
      zone: options.zone ?? ZONE,
      instanceType: options.instanceType ?? INSTANCE_TYPE,
      assignPublicIp: options.assignPublicIp ?? false,
    });
    return op.instance;
  }

  async createNode(name: string, options: NodeSpecOptions = {}): Promise<V1Node> {
    const tainted = options.tainted ?? true;
    const node: V1Node = {
      metadata: { name, labels: options.labels, annotations: options.annotations },
      spec: {
        providerID: options.providerID,
        podCIDR: options.podCIDRs?.[0],
        podCIDRs: options.podCIDRs,
        taints: tainted
          ? [{ key: UNINITIALIZED_TAINT, value: 'true', effect: 'NoSchedule' }]
          : undefined,
      },
    };
    const created = await this.core.createNode({ body: node });
    if (options.ready || options.addresses) {
      return this.patchNodeStatus(name, {
        ...(options.addresses ? { addresses: options.addresses } : {}),
        ...(options.ready ? { conditions: [readyCondition(options.ready)] } : {}),
      });
    }
    return created;
  }

  /** Sets the Ready condition, as the kubelet (True) or KCM's node lifecycle (Unknown) would. */
  setReady(name: string, status: 'True' | 'False' | 'Unknown'): Promise<V1Node> {
    return this.patchNodeStatus(name, { conditions: [readyCondition(status)] });
  }

  patchNodeStatus(name: string, status: object): Promise<V1Node> {
    return this.core.patchNodeStatus(
      { name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  patchNode(name: string, body: object): Promise<V1Node> {
    return this.core.patchNode(
      { name, body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  getNode(name: string): Promise<V1Node | undefined> {
    return this.core.readNode({ name }).catch((err: { code?: number }) => {
      if (err.code === 404) {
        return undefined;
      }
      throw err;
    });
  }

  /** core/v1 Events in every namespace, filtered by reason / source component / object name. */
  async events(
    filter: { reason?: string; component?: string; involvedName?: string } = {},
  ): Promise<V1Event[]> {
    const list = await this.core.listEventForAllNamespaces();
    return list.items.filter(
      (e) =>
        (!filter.reason || e.reason === filter.reason) &&
        (!filter.component || e.source?.component === filter.component) &&
        (!filter.involvedName || e.involvedObject.name === filter.involvedName),
    );
  }

  /** Another component of the cluster (e.g. kube-controller-manager) closed before the servers. */
  track<T extends { close(): Promise<void> }>(component: T): T {
    this.companions.push(component);
    return component;
  }

  /**
   * Stops the tracked components and every CCM, then the servers. A CCM that does not stop within 45 s (beyond the
   * controllers' 30 s drain) fails the suite: the servers are closed first, then it throws.
   */
  async close(): Promise<void> {
    for (const component of this.companions.splice(0)) {
      await component.close();
    }
    const stuck: string[] = [];
    for (const ccm of [...this.ccms]) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), 45_000);
      });
      if ((await Promise.race([this.stopCcm(ccm), gaveUp])) === 'timeout') {
        stuck.push(ccm.identity);
      }
      clearTimeout(timer);
    }
    await this.cloudApi.close();
    await this.apiserver.close();
    for (const dir of this.dirs) {
      dir.remove();
    }
    if (stuck.length > 0) {
      throw new Error(`CCM ${stuck.join(', ')} did not stop within 45 s of close()`);
    }
  }
}

function apiServerConfig(dataDir: string, port: number): KubeApiServerConfig {
  return validateConfig(KubeApiServerConfig, { port, dataDir, logLevel: 'silent' });
}

function startApiServer(dataDir: string, port: number, thread: boolean): Promise<HarnessApiServer> {
  const config = apiServerConfig(dataDir, port);
  return thread
    ? startKubeApiServerThread(config, { clock: new AdjustableClock(), logLevel: 'silent' })
    : startKubeApiServer(config);
}

/** A Logger that keeps every message (tests wait for "Started controller" and the like). */
export class RecordingLogger implements Logger {
  readonly entries: { level: string; fields: object; message: string }[] = [];
  debug(fields: object, message: string) {
    this.entries.push({ level: 'debug', fields, message });
  }
  info(fields: object, message: string) {
    this.entries.push({ level: 'info', fields, message });
  }
  warn(fields: object, message: string) {
    this.entries.push({ level: 'warn', fields, message });
  }
  error(fields: object, message: string) {
    this.entries.push({ level: 'error', fields, message });
  }
  has(message: string, fields: Record<string, unknown> = {}): boolean {
    return this.entries.some(
      (e) =>
        e.message === message &&
        Object.entries(fields).every(([k, v]) => (e.fields as Record<string, unknown>)[k] === v),
    );
  }
}

/**
 * Moves a ManualScheduler forward in `stepMs` steps, letting real I/O run in between, until
 * `probe` holds (for starting a CCM whose timers only fire when a test advances time).
 */
export async function pumpUntil(
  scheduler: ManualScheduler,
  probe: () => boolean | Promise<boolean>,
  options: { stepMs?: number; timeoutMs?: number; message?: string } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 20_000);
  while (!(await probe())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out pumping the scheduler for ${options.message ?? 'a condition'}`);
    }
    await scheduler.advance(options.stepMs ?? 100);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function readyCondition(status: 'True' | 'False' | 'Unknown') {
  return {
    type: 'Ready',
    status,
    reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady',
    message: `set by the e2e test (${status})`,
    lastHeartbeatTime: new Date(),
    lastTransitionTime: new Date(),
  };
}

export const hasTaint = (node: V1Node | undefined, key: string): boolean =>
  (node?.spec?.taints ?? []).some((t) => t.key === key);

/**
 * Polls `probe` until it returns something other than undefined/false, or fails after the
 * timeout with `message` and the last value or error. Never a fixed sleep.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) {
        return value;
      }
      last = value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.message ?? 'a condition'} (last: ${
          options.describeLast?.() ?? (last instanceof Error ? last.message : JSON.stringify(last))
        })`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Asserts that `probe` stays true for `forMs` (for "nothing happens" scenarios): checked
 * repeatedly, failing as soon as it turns false.
 */
export async function holdsFor(
  probe: () => Promise<boolean> | boolean,
  forMs: number,
  message: string,
): Promise<void> {
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    if (!(await probe())) {
      throw new Error(`expected to hold for ${forMs} ms: ${message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiServerConfig, KubeSchedulerConfig, validateConfig } from '@app/config';
import { kubeConfigWithToken } from '@app/kube-client';
import { startKubeApiServer, type RunningKubeApiServer } from '../../kube-apiserver/src';
import {
  createServiceAccount,
  kubectlFor,
  requireKubectl,
  type Kubectl,
} from '../../kube-apiserver/test/support/test-server';
import { startKubeScheduler, type KubeSchedulerDeps, type RunningKubeScheduler } from '../src';
import { kubeletNode, type KubeletNodeOptions } from './kubelet-node';

/** Scheduler flags that keep e2e tests quick; everything else keeps the upstream default. */
export const FAST_SCHEDULER_FLAGS: Record<string, unknown> = {
  leaderElect: 'false',
  securePort: '0',
  logLevel: 'silent',
};

/**
 * The built-in api-server in-process (temp data dir, port 0), the real kubectl against its
 * kubeconfig, and schedulers started on demand with the `system:kube-scheduler` token.
 */
export class SchedulerE2e {
  readonly schedulers: RunningKubeScheduler[] = [];

  private constructor(
    readonly apiserver: RunningKubeApiServer,
    readonly kubectl: Kubectl,
    private readonly dir: string,
  ) {}

  static async start(): Promise<SchedulerE2e> {
    requireKubectl();
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-scheduler-e2e-'));
    const apiserver = await startKubeApiServer(
      validateConfig(KubeApiServerConfig, {
        port: 0,
        dataDir: join(dir, 'kube'),
        logLevel: 'silent',
        heartbeatMs: 2000,
      }),
    );
    // What the kube-controller-manager's serviceaccount controller would do (no pods without it).
    await createServiceAccount(apiserver, 'default');
    return new SchedulerE2e(
      apiserver,
      kubectlFor(apiserver.kubeconfigPath, join(dir, 'cache')),
      dir,
    );
  }

  /** A namespace with its `default` ServiceAccount, as the kube-controller-manager would make it. */
  async createNamespace(name: string): Promise<void> {
    await this.ok(['create', 'namespace', name]);
    await createServiceAccount(this.apiserver, name);
  }

  async startScheduler(
    flags: Record<string, unknown> = {},
    deps: KubeSchedulerDeps = {},
  ): Promise<RunningKubeScheduler> {
    const token = this.apiserver.tokenFor('system:kube-scheduler') ?? this.apiserver.adminToken;
    const scheduler = await startKubeScheduler(
      validateConfig(KubeSchedulerConfig, { ...FAST_SCHEDULER_FLAGS, ...flags }),
      {
        kubeConfig: kubeConfigWithToken(
          this.apiserver.kubeconfigPath,
          token,
          'system:kube-scheduler',
        ),
        ...deps,
      },
    );
    this.schedulers.push(scheduler);
    return scheduler;
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, { input, timeoutMs: 60_000 });
    if (r.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  async create(object: Record<string, unknown>): Promise<void> {
    await this.ok(['create', '-f', '-'], JSON.stringify(object));
  }

  /** Registers a node as a simulated kubelet does (optionally already initialised by the CCM). */
  async registerNode(name: string, options: KubeletNodeOptions = {}): Promise<void> {
    await this.create(kubeletNode(name, options));
  }

  async close(): Promise<void> {
    for (const s of this.schedulers.splice(0)) {
      await s.close();
    }
    await this.apiserver.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A pod as `kubectl run` would make it, with optional requests and extras merged into spec. */
export function pod(
  name: string,
  options: {
    namespace?: string;
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    spec?: Record<string, unknown>;
    metadata?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const requests: Record<string, string> = {};
  if (options.cpu) {
    requests.cpu = options.cpu;
  }
  if (options.memory) {
    requests.memory = options.memory;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      labels: options.labels ?? { run: name },
      ...options.metadata,
    },
    spec: {
      containers: [
        {
          name,
          image: 'nginx:1.27',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
        },
      ],
      ...options.spec,
    },
  };
}

/** Polls `fn` until it stops throwing (generous deadline: the machine is shared). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (performance.now() > deadline) {
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

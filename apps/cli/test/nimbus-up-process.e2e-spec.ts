import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NimbusCloudClient } from '@app/cloud-client';
import { environmentWith } from '@app/config';
import { KubeRest, loadKubeConfig, type NodeObject, type PodObject } from '@app/kube-client';
import { kubectlFor, requireKubectl } from '../../kube-apiserver/test/support/test-server';
import { advanceClusterClock, condition, hasTaint, waitFor } from './cluster/cluster-harness';

// `nimbus up` as a user runs it: a child process, the banner, then the cluster through kubectl
// and the cloud API — three workers Ready and initialised with routes, a pod with an IP from its
// node's pod CIDR, a stopped instance turning its node NotReady, a new instance joining; a
// restart keeps the cluster, --fresh starts over.
jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..', '..');
const TOKEN = 'up-process-test-project-token-0123';
const ADMIN_TOKEN = 'up-process-test-admin-token-01234';

interface UpProcess {
  child: ChildProcess;
  output(): string;
  cloudUrl: string;
  kubeconfig: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `nimbus up` from the sources (ts-node) and waits for its banner. */
async function startUp(dataDir: string, extra: string[] = []): Promise<UpProcess> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'apps/cli/src/main.ts'),
      'up',
      '--data-dir',
      dataDir,
      '--cloud-port',
      '0',
      '--apiserver-port',
      '0',
      '--ccm-port',
      '-1',
      '--controller-manager-port',
      '-1',
      '--scheduler-port',
      '0',
      '--proxy-healthz-port',
      '0',
      '--proxy-metrics-port',
      '0',
      '--transition-ms',
      '0',
      '--token',
      TOKEN,
      '--admin-token',
      ADMIN_TOKEN,
      '--log-level',
      'silent',
      ...extra,
    ],
    {
      cwd: ROOT,
      env: environmentWith({ TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': only then has the last of stdout and stderr arrived.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  await waitFor(() => out.includes('Ctrl-C stops everything.') || child.exitCode !== null, {
    timeoutMs: 120_000,
    intervalMs: 200,
    message: 'the nimbus up banner',
  });
  if (child.exitCode !== null) {
    throw new Error(`nimbus up exited ${child.exitCode}:\n${out}`);
  }
  const cloudUrl = /cloud API:\s+(http:\/\/\S+)/.exec(out)?.[1] ?? '';
  const kubeconfig = /kubeconfig:\s+(\S+)/.exec(out)?.[1] ?? '';
  return {
    child,
    output: () => out,
    cloudUrl,
    kubeconfig,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('nimbus up (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-up-process-'));
  const dataDir = join(dir, 'data');
  let up: UpProcess | undefined;

  beforeAll(() => requireKubectl());

  afterAll(async () => {
    if (up && up.child.exitCode === null) {
      await up.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings up a living cluster, which ages with the cloud clock and grows with new instances', async () => {
    up = await startUp(dataDir);
    const banner = up.output();
    for (const component of [
      'cloud API',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'cloud-controller-manager',
      'kubelet',
      'kube-proxy',
    ]) {
      expect(banner).toMatch(new RegExp(`✓ ${component}\\s`));
    }
    expect(banner).toMatch(
      /created worker-1 \(nimbus-1a\), worker-2 \(nimbus-1b\), worker-3 \(nimbus-1c\)/,
    );
    for (const worker of ['worker-1', 'worker-2', 'worker-3']) {
      expect(banner).toMatch(
        new RegExp(
          `✓ ${worker}\\s+Ready\\s+nimbus-1[abc]\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+pods 10\\.244\\.\\d+\\.0/24`,
        ),
      );
    }
    expect(banner).toContain('kubectl get nodes -o wide');

    const k = kubectlFor(up.kubeconfig, join(dir, 'kubectl-cache'));
    const ok = async (args: string[], input?: string) => {
      const r = await k(args, { input });
      if (r.code !== 0) {
        throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      }
      return r.stdout;
    };
    const rest = new KubeRest(loadKubeConfig(up.kubeconfig));
    const cloud = new NimbusCloudClient({ baseUrl: up.cloudUrl, token: TOKEN });
    const node = (name: string) => rest.get<NodeObject>(`/api/v1/nodes/${name}`);

    // Three nodes, Ready, initialised by the CCM, routed.
    const wide = await ok(['get', 'nodes', '-o', 'wide']);
    for (const worker of ['worker-1', 'worker-2', 'worker-3']) {
      expect(wide).toMatch(
        new RegExp(
          `${worker}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0\\s+10\\.\\S+\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s`,
        ),
      );
      const routed = await waitFor(
        async () => {
          const n = await node(worker);
          return condition(n, 'NetworkUnavailable')?.reason === 'RouteCreated' && n;
        },
        { timeoutMs: 30_000, message: `${worker} routed` },
      );
      expect(routed.spec?.providerID).toMatch(/^nimbus:\/\//);
      expect(routed.spec?.taints ?? []).toEqual([]);
    }
    const network = await cloud.networks.getDefault();
    const routes = [];
    for await (const r of cloud.routes.listAll(network.id)) {
      routes.push(r);
    }
    expect(routes.map((r) => r.destinationCidr).sort()).toEqual(
      (
        await Promise.all(
          ['worker-1', 'worker-2', 'worker-3'].map(async (w) => (await node(w)).spec?.podCIDR),
        )
      ).sort(),
    );

    // The kube-scheduler places a pod; it runs with an IP from its node's pod CIDR.
    await ok(['run', 'web', '--image=nginx:1.27']);
    const pod = await waitFor(
      async () => {
        const p = await rest.get<PodObject>('/api/v1/namespaces/default/pods/web');
        return p.status?.phase === 'Running' && p;
      },
      { timeoutMs: 30_000, message: 'web Running' },
    );
    const host = pod.spec?.nodeName ?? '';
    expect(host).toMatch(/^worker-[123]$/);
    const cidr = (await node(host)).spec?.podCIDR ?? '';
    expect(pod.status?.podIP?.startsWith(cidr.split('.').slice(0, 3).join('.') + '.')).toBe(true);
    expect(await ok(['get', 'nodes,pods', '-o', 'wide'])).toMatch(
      new RegExp(
        `pod/web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${pod.status!.podIP!.replace(/\./g, '\\.')}\\s+${host}\\s`,
      ),
    );

    // Stopping worker-2's instance: 50 s of cloud clock later its node is NotReady and tainted.
    const [worker2] = await cloud.instances.findByName('worker-2');
    await cloud.instances.stop(worker2.id);
    const clock = { cloudUrl: up.cloudUrl, adminToken: ADMIN_TOKEN, cloud, rest };
    await advanceClusterClock(clock, 60_000);
    await waitFor(
      async () => {
        const n = await node('worker-2');
        return (
          condition(n, 'Ready')?.status === 'Unknown' &&
          hasTaint(n, 'node.kubernetes.io/unreachable', 'NoExecute') &&
          hasTaint(n, 'node.kubernetes.io/unreachable', 'NoSchedule')
        );
      },
      { timeoutMs: 30_000, message: 'worker-2 NotReady and tainted' },
    );
    expect(await ok(['get', 'node', 'worker-2'])).toMatch(/worker-2\s+NotReady/);

    // A new instance labelled for the cluster joins.
    await cloud.instances.create({
      name: 'worker-4',
      zone: 'nimbus-1b',
      instanceType: 'nb.medium',
      labels: { 'nimbus.dev/cluster': 'kubernetes' },
    });
    await waitFor(
      async () => {
        const n = await node('worker-4').catch(() => undefined);
        return n && condition(n, 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).length;
      },
      { timeoutMs: 30_000, message: 'worker-4 joined' },
    );

    expect(await up.stop()).toBe(0);
  });

  it('keeps the cluster across a restart; --fresh starts over', async () => {
    up = await startUp(dataDir);
    expect(up.output()).not.toContain('created worker-');
    // The banner lists the cluster's running instances as they come back (worker-2 is stopped).
    for (const worker of ['worker-1', 'worker-3', 'worker-4']) {
      expect(up.output()).toMatch(new RegExp(`✓ ${worker}\\s+Ready`));
    }
    expect(up.output()).not.toMatch(/✓ worker-2\s/);
    const k = kubectlFor(up.kubeconfig, join(dir, 'kubectl-cache-2'));
    const nodes = (await k(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n').sort();
    expect(nodes).toEqual(['node/worker-1', 'node/worker-2', 'node/worker-3', 'node/worker-4']);
    expect((await k(['get', 'pod', 'web'])).stdout).toMatch(/web\s+1\/1\s+Running/);
    expect(await up.stop()).toBe(0);

    up = await startUp(dataDir, ['--fresh']);
    expect(up.output()).toMatch(/created worker-1 \(nimbus-1a\), worker-2/);
    const fresh = kubectlFor(up.kubeconfig, join(dir, 'kubectl-cache-3'));
    const names = (await fresh(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n').sort();
    expect(names).toEqual(['node/worker-1', 'node/worker-2', 'node/worker-3']);
    expect((await fresh(['get', 'pods'])).stderr).toContain('No resources found');
    expect(await up.stop()).toBe(0);
  });
});

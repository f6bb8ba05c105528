import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdjustableClock } from '@app/common';
import { KubeApiServerConfig, validateConfig } from '@app/config';
import { startKubeApiServerThread, type KubeApiServerThread } from '../src';
import { kubectlFor, requireKubectl, type Kubectl } from './support/test-server';

// The api-server in a worker thread, as `nimbus up` runs it: it serves kubectl, follows the
// starting thread's clock through shared memory, hands out its tokens, and ends on close.

describe('kube-apiserver in a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-kube-thread-'));
  const clock = new AdjustableClock();
  let server: KubeApiServerThread;
  let kubectl: Kubectl;

  beforeAll(async () => {
    requireKubectl();
    clock.freeze();
    clock.set(Date.parse('2031-05-01T10:00:00Z'));
    server = await startKubeApiServerThread(
      validateConfig(KubeApiServerConfig, { port: 0, dataDir: dir }),
      { clock, logLevel: 'silent' },
    );
    kubectl = kubectlFor(server.kubeconfigPath, join(dir, 'kubectl-cache'));
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const createdAt = async (name: string) => {
    const created = await kubectl(['create', 'configmap', name]);
    expect(created.stderr).toBe('');
    const got = await kubectl([
      'get',
      'configmap',
      name,
      '-o',
      'jsonpath={.metadata.creationTimestamp}',
    ]);
    return got.stdout;
  };

  it("stamps objects with the starting thread's clock, and follows it when it moves", async () => {
    expect(await createdAt('before')).toBe('2031-05-01T10:00:00Z');
    clock.advance(3 * 3600_000);
    expect(await createdAt('after')).toBe('2031-05-01T13:00:00Z');
  });

  it("hands out the token file's component tokens and derives node tokens", async () => {
    const scheduler = server.tokenFor('system:kube-scheduler');
    expect(scheduler).toMatch(/\S{16,}/);
    const whoami = (token: string) =>
      kubectl(['auth', 'whoami', '--token', token, '-o', 'jsonpath={.status.userInfo.username}']);
    expect((await whoami(scheduler!)).stdout).toBe('system:kube-scheduler');
    expect((await whoami(server.nodeToken('worker-1'))).stdout).toBe('system:node:worker-1');
    expect(server.tokenFor('admin')).toBe(server.adminToken);
  });

  it('answers calls across the thread and ends on close', async () => {
    expect(await server.compact()).toEqual(expect.any(Number));
    await server.close();
    await expect(server.exited).resolves.toBe(0);
    const after = await kubectl(['get', 'configmaps', '--request-timeout', '2s']);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/refused/);
    // Calls after the end fail at once instead of waiting for an answer that cannot come.
    await expect(server.compact()).rejects.toThrow(/thread/);
  });

  it('rejects the start with the reason when the server cannot start', async () => {
    // A token file without an admin: the worker's failure reaches the starting thread.
    const tokenFile = join(dir, 'no-admin.csv');
    writeFileSync(tokenFile, 'token-of-bob-0123456789,bob,bob\n');
    await expect(
      startKubeApiServerThread(
        validateConfig(KubeApiServerConfig, { port: 0, dataDir: join(dir, 'other'), tokenFile }),
        { clock, logLevel: 'silent' },
      ),
    ).rejects.toThrow('has no user "admin"');
  });
});

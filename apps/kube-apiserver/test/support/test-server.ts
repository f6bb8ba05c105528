import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { KubeApiServerConfig, environmentWith, validateConfig } from '@app/config';
import { startKubeApiServer, type KubeApiServerDeps, type RunningKubeApiServer } from '../../src';

export interface TestServer {
  server: RunningKubeApiServer;
  dataDir: string;
  /** Restarts on the same port and data dir (state survives). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(
  overrides: Record<string, unknown> = {},
  dataDir?: string,
  deps: KubeApiServerDeps = {},
): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'nimbus-kube-'));
  const config = (port: number) =>
    validateConfig(KubeApiServerConfig, { port, dataDir: dir, heartbeatMs: 2000, ...overrides });
  const handle: TestServer = {
    server: await startKubeApiServer(config(0), deps),
    dataDir: dir,
    async restart() {
      const port = handle.server.port;
      await handle.server.close();
      handle.server = await startKubeApiServer(config(port), deps);
    },
    async stop() {
      await handle.server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/**
 * Creates the ServiceAccount pods run as (`default`), as the kube-controller-manager's
 * serviceaccount controller does in every namespace: without it the ServiceAccount admission
 * plugin refuses pods, as upstream does on a bare api-server.
 */
export async function createServiceAccount(
  server: RunningKubeApiServer,
  namespace = 'default',
  name = 'default',
): Promise<void> {
  const res = await fetchJson(server, `/api/v1/namespaces/${namespace}/serviceaccounts`, {
    metadata: { name },
  });
  if (res !== 201 && res !== 409) {
    throw new Error(`creating serviceaccount ${namespace}/${name} answered ${res}`);
  }
}

function fetchJson(server: RunningKubeApiServer, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpsRequest(
      `${server.url}${path}`,
      {
        method: 'POST',
        ca: server.caCert,
        headers: {
          Authorization: `Bearer ${server.adminToken}`,
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(payload)),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The real kubectl is required: the acceptance tests never skip silently. */
export function requireKubectl(): void {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error('kubectl must be on the PATH for the acceptance tests', { cause: error });
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Kubectl {
  (
    args: string[],
    options?: { input?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`) and collects its output. */
  spawn(args: string[]): SpawnedKubectl;
}

export interface SpawnedKubectl {
  process: ChildProcess;
  output: () => string;
  /**
   * The exit code once stdout and stderr have ended. Node's 'exit' can fire before the last output
   * arrives, so a test that reads output() after 'exit' may miss kubectl's final line.
   */
  closed: Promise<number | null>;
}

/** kubectl with only the written kubeconfig and a fresh discovery cache. */
export function kubectlFor(kubeconfig: string, cacheDir: string): Kubectl {
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir];
  const run = ((args, options = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const started = performance.now();
      const child = execFile(
        'kubectl',
        [...base, ...args],
        {
          env: options.env ? environmentWith(options.env) : undefined,
          timeout: options.timeoutMs ?? 30_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr, ms: performance.now() - started });
        },
      );
      if (options.input !== undefined) {
        child.stdin?.end(options.input);
      } else {
        child.stdin?.end();
      }
    })) as Kubectl;
  run.spawn = (args) => {
    const child = spawn('kubectl', [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { process: child, output: () => output, closed };
  };
  return run;
}

export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      throw lastError;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The two checks most kubectl tests make: `ok` runs kubectl and returns its stdout (throwing with
 * its output when it fails), `fails` expects a non-zero exit and returns stderr. `kubectl` is
 * read on each call, so suites can create it in `beforeAll`.
 */
export function kubectlChecks(kubectl: () => Kubectl) {
  const run = (args: string[], input?: string) =>
    kubectl()(args, input === undefined ? undefined : { input });
  return {
    ok: async (args: string[], input?: string): Promise<string> => {
      const r = await run(args, input);
      if (r.code !== 0) {
        throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      }
      return r.stdout;
    },
    fails: async (args: string[], input?: string): Promise<string> => {
      const r = await run(args, input);
      expect(r.code).not.toBe(0);
      return r.stderr;
    },
  };
}

/**
 * A kubectl suite's fixture: registers `beforeAll` (a test server with the default
 * ServiceAccount, kubectl with its own cache dir) and `afterAll`, and hands back the checks.
 */
export function kubectlSuite(prefix: string) {
  let server: TestServer | undefined;
  let kubectl: Kubectl | undefined;
  let work: string | undefined;
  beforeAll(async () => {
    requireKubectl();
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), prefix));
    kubectl = kubectlFor(server.server.kubeconfigPath, join(work, 'cache'));
    await createServiceAccount(server.server);
  });
  afterAll(async () => {
    await server?.stop();
    if (work) {
      rmSync(work, { recursive: true, force: true });
    }
  });
  const checks = kubectlChecks(() => kubectl!);
  return {
    ...checks,
    kubectl: (args: string[], input?: string) =>
      kubectl!(args, input === undefined ? undefined : { input }),
    server: () => server!,
  };
}

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';

// The built-in api-server as its own process (the CLI via ts-node, as users run it), and a
// bounded-concurrency loop: shared by the kube-apiserver and kube-scheduler benchmarks.

const root = resolve(__dirname, '../..');

export async function startServer(
  dataDir: string,
  nodeArgs: string[] = [],
): Promise<{ url: string; pid: number; stop: () => void; exited: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/cli/src/main.ts',
      'apiserver',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m) {
        ok(m[1]);
      }
    });
    child.on('exit', (code) => fail(new Error(`server exited with ${String(code)}`)));
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { url, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM'), exited };
}

/** Runs `fn(0…total−1)` on `workers` concurrent loops; returns the elapsed milliseconds. */
export async function parallel(
  total: number,
  workers: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) {
        await fn(i);
      }
    }),
  );
  return performance.now() - started;
}

/** The CA and admin token of the kubeconfig a server wrote in its data dir (for bench clients). */
export function serverCredentials(dataDir: string): { ca: string; token: string } {
  const kubeconfig = load(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  return {
    ca: Buffer.from(
      kubeconfig.clusters[0].cluster['certificate-authority-data'],
      'base64',
    ).toString(),
    token: kubeconfig.users[0].user.token,
  };
}

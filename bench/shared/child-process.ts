import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Starts `cmd args` in the repository root; resolves once its stdout matches `ready`. */
export function startProcess(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, match });
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)));
  });
}

/**
 * `nimbus cloud-api` from `dist/` on an ephemeral port; resolves with its URL once it listens.
 * `nodeFlags` go to node itself (e.g. `--cpu-prof`).
 */
export async function startCloudApiProcess(
  dataDir: string,
  token: string,
  flags: string[],
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const { child, match } = await startProcess(
    'node',
    [
      ...nodeFlags,
      'bin/nimbus.js',
      'cloud-api',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--token',
      token,
      ...flags,
    ],
    /listening on (\S+)/,
  );
  return { child, url: match[1] };
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { environmentWith } from '@app/config';

const ROOT = join(__dirname, '../../..');

/** Builds dist/ if the sources are newer (CI has just built it; a fresh clone has not). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure.js'), '--build'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** A `node bin/nimbus.js …` child process, as a user runs it. */
export class NimbusProcess {
  private out = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    // 'close', not 'exit': only then has the last of stdout and stderr arrived.
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  static start(args: string[], env: Record<string, string> = {}): NimbusProcess {
    return new NimbusProcess(
      spawn(process.execPath, [join(ROOT, 'bin/nimbus.js'), ...args], {
        cwd: ROOT,
        env: environmentWith(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  output(): string {
    return this.out;
  }

  /** Resolves with the first match of `pattern` in the output (fails if the process exits first). */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.out);
      if (match) {
        return match;
      }
      if (this.child.exitCode !== null || performance.now() > deadline) {
        throw new Error(`no ${String(pattern)} in the output of nimbus:\n${this.out}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** kill -9: no shutdown hook runs. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

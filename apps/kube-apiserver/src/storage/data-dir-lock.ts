import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const heldInThisProcess = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per data dir: the resourceVersion counter lives in memory, so two writers would
 * collide. A pid file guards against other processes (stale ones from crashes are taken over),
 * a set against a second server in this process. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'kube.lock');
  if (heldInThisProcess.has(file)) {
    throw new Error(`data dir ${dataDir} is already used by another api-server in this process`);
  }
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    owner = undefined;
  }
  if (owner && owner !== process.pid && alive(owner)) {
    throw new Error(`data dir ${dataDir} is locked by process ${owner} (${file})`);
  }
  writeFileSync(file, String(process.pid));
  heldInThisProcess.add(file);
  return () => {
    heldInThisProcess.delete(file);
    rmSync(file, { force: true });
  };
}

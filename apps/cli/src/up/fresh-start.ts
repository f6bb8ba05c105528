import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** What `nimbus up` keeps in its data dir (and nothing else is touched by `--fresh`). */
const STATE_FILES = [
  /^cloud\.sqlite(-wal|-shm|-journal)?$/,
  /^kube\.sqlite(-wal|-shm|-journal)?$/,
  /^kube\.lock$/,
  /^(ca|apiserver)\.(crt|key)$/,
  /^tokens\.csv$/,
  /^kubeconfig$/,
  /^[a-z-]+-token$/,
  /^demo-cluster$/,
];

/**
 * `nimbus up --fresh`: deletes the previous cloud and cluster state (databases, certificates,
 * tokens, kubeconfig) from the data dir. Only Nimbus's own files go; anything else a user put in
 * the directory stays.
 */
export function removeNimbusState(dataDir: string): string[] {
  if (!existsSync(dataDir)) {
    return [];
  }
  const removed: string[] = [];
  for (const name of readdirSync(dataDir)) {
    if (STATE_FILES.some((re) => re.test(name))) {
      rmSync(join(dataDir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}
